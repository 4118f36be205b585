"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { AccountPage } from "@/features/account/components/AccountPage";

export default function Account() {
  return (
    <AppShell>
      <Suspense><AccountPage /></Suspense>
    </AppShell>
  );
}
