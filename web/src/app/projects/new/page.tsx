"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
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
