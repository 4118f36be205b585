"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { MediaLibrary } from "@/features/media/components/MediaLibrary";
import { useDocumentTitle } from "@/lib/title";

export default function MediaPage() {
  useDocumentTitle("media.title");
  return (
    <AppShell>
      <Suspense><MediaLibrary /></Suspense>
    </AppShell>
  );
}
