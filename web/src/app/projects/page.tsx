"use client";
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
