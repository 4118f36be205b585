"use client";
import { AppShell } from "@/components/AppShell";
import { TwoFactorSettings } from "@/features/twofactor/components/TwoFactorSettings";

export default function TwoFactorPage() {
  return (
    <AppShell>
      <TwoFactorSettings />
    </AppShell>
  );
}
