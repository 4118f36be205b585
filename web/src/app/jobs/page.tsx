"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { JobsList } from "@/features/jobs/components/JobsList";

export default function JobsPage() {
  return (
    <AppShell>
      <Suspense><JobsList /></Suspense>
    </AppShell>
  );
}
