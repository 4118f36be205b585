"use client";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { MediaDetail } from "@/features/media/components/MediaDetail";

function Detail() {
  const id = Number(useSearchParams().get("id"));
  return <MediaDetail key={id} id={Number.isSafeInteger(id) && id > 0 ? id : 0} />;
}

export default function MediaDetailPage() {
  return (
    <AppShell>
      <Suspense><Detail /></Suspense>
    </AppShell>
  );
}
