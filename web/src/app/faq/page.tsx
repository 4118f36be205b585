"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { FaqScreen } from "@/features/chat";
import { useDocumentTitle } from "@/lib/title";

export default function FaqPage() {
  useDocumentTitle("faq.title");
  return (
    <AppShell>
      <Suspense><FaqScreen /></Suspense>
    </AppShell>
  );
}
