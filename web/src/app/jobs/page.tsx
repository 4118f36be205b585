"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { JobsList } from "@/features/jobs";
import { useDocumentTitle } from "@/lib/title";

export default function JobsPage() {
  useDocumentTitle("jobs.title");
  return (
    <AppShell>
      <Suspense><JobsList /></Suspense>
    </AppShell>
  );
}
