"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { AuditLogList } from "@/features/audit/components/AuditLogList";

export default function AuditPage() {
  return (
    <AppShell>
      <Suspense><AuditLogList /></Suspense>
    </AppShell>
  );
}
