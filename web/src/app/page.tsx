"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { AppShell } from "@/app/shell";
import { Home as HomeScreen } from "@/features/stats";
import { useDocumentTitle } from "@/lib/title";

export default function Home() {
  useDocumentTitle("dashboard.title");
  return <AppShell><HomeScreen /></AppShell>;
}
