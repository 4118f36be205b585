"use client";
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
