"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { MediaLibrary } from "@/features/media";
import { useDocumentTitle } from "@/lib/title";

export default function MediaPage() {
  useDocumentTitle("media.title");
  return (
    <AppShell>
      <Suspense><MediaLibrary /></Suspense>
    </AppShell>
  );
}
