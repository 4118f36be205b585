"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { InboxScreen } from "@/features/chat";
import { useDocumentTitle } from "@/lib/title";

export default function ChatPage() {
  useDocumentTitle("chat.title");
  return (
    <AppShell>
      <Suspense><InboxScreen /></Suspense>
    </AppShell>
  );
}
