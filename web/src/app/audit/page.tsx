"use client";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { AuditLogList } from "@/features/audit";
import { useDocumentTitle } from "@/lib/title";

export default function AuditPage() {
  useDocumentTitle("audit.title");
  return (
    <AppShell>
      <Suspense><AuditLogList /></Suspense>
    </AppShell>
  );
}
