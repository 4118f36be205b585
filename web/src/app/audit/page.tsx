"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
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
