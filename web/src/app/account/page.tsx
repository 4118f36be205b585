"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { AccountPage } from "@/features/account";
import { useDocumentTitle } from "@/lib/title";

export default function Account() {
  useDocumentTitle("account.title");
  return (
    <AppShell>
      <Suspense><AccountPage /></Suspense>
    </AppShell>
  );
}
