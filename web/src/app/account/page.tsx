"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { AccountPage } from "@/features/account/components/AccountPage";
import { useDocumentTitle } from "@/lib/title";

export default function Account() {
  useDocumentTitle("account.title");
  return (
    <AppShell>
      <Suspense><AccountPage /></Suspense>
    </AppShell>
  );
}
