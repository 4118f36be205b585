"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { MediaDetail } from "@/features/media";
import { useDocumentTitle } from "@/lib/title";

function Detail() {
  const id = Number(useSearchParams().get("id"));
  return <MediaDetail key={id} id={Number.isSafeInteger(id) && id > 0 ? id : 0} />;
}

export default function MediaDetailPage() {
  useDocumentTitle("title.media");
  return (
    <AppShell>
      <Suspense><Detail /></Suspense>
    </AppShell>
  );
}
