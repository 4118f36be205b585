"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { PostEditor } from "@/features/posts";
import { useDocumentTitle } from "@/lib/title";

function Edit() {
  const id = Number(useSearchParams().get("id"));
  return <PostEditor key={id} id={Number.isSafeInteger(id) && id > 0 ? id : -1} />;
}

export default function EditPostPage() {
  useDocumentTitle("post.title.edit");
  return (
    <AppShell>
      <Suspense><Edit /></Suspense>
    </AppShell>
  );
}
