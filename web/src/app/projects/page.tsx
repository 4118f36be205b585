"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { ProjectsList } from "@/features/projects";
import { useDocumentTitle } from "@/lib/title";

export default function ProjectsPage() {
  useDocumentTitle("projects.title");
  return (
    <AppShell>
      <Suspense><ProjectsList /></Suspense>
    </AppShell>
  );
}
