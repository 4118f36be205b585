"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { PostsList } from "@/features/posts";
import { useDocumentTitle } from "@/lib/title";

export default function PostsPage() {
  useDocumentTitle("posts.title");
  return (
    <AppShell>
      <Suspense><PostsList /></Suspense>
    </AppShell>
  );
}
