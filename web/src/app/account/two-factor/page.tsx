"use client";
import { AppShell } from "@/components/AppShell";
import { TwoFactorSettings } from "@/features/twofactor/components/TwoFactorSettings";
import { useDocumentTitle } from "@/lib/title";

export default function TwoFactorPage() {
  useDocumentTitle("tfa.title");
  return (
    <AppShell>
      <TwoFactorSettings />
    </AppShell>
  );
}
