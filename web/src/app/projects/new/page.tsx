"use client";
import { AppShell } from "@/app/shell";
import { ProjectEditor } from "@/features/projects";
import { useDocumentTitle } from "@/lib/title";

export default function NewProjectPage() {
  useDocumentTitle("projects.newTitle");
  return (
    <AppShell>
      <ProjectEditor id={0} />
    </AppShell>
  );
}
