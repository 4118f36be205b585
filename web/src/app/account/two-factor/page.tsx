"use client";
import { AppShell } from "@/app/shell";
import { TwoFactorSettings } from "@/features/twofactor";
import { useDocumentTitle } from "@/lib/title";

export default function TwoFactorPage() {
  useDocumentTitle("tfa.title");
  return (
    <AppShell>
      <TwoFactorSettings />
    </AppShell>
  );
}
