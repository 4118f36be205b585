"use client";
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
