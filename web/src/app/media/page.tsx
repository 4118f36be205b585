"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { MediaLibrary } from "@/features/media/components/MediaLibrary";

export default function MediaPage() {
  return (
    <AppShell>
      <Suspense><MediaLibrary /></Suspense>
    </AppShell>
  );
}
