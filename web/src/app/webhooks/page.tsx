"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { AppShell } from "@/app/shell";
import { WebhooksScreen } from "@/features/webhooks";
import { useDocumentTitle } from "@/lib/title";

export default function WebhooksPage() {
  useDocumentTitle("webhooks.title");
  return (
    <AppShell>
      <WebhooksScreen />
    </AppShell>
  );
}
