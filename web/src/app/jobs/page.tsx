"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { JobsList } from "@/features/jobs/components/JobsList";
import { useDocumentTitle } from "@/lib/title";

export default function JobsPage() {
  useDocumentTitle("jobs.title");
  return (
    <AppShell>
      <Suspense><JobsList /></Suspense>
    </AppShell>
  );
}
