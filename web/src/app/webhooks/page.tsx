"use client";
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
