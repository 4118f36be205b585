"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
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
