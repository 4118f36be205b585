"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { AuditLogList } from "@/features/audit/components/AuditLogList";
import { useDocumentTitle } from "@/lib/title";

export default function AuditPage() {
  useDocumentTitle("audit.title");
  return (
    <AppShell>
      <Suspense><AuditLogList /></Suspense>
    </AppShell>
  );
}
