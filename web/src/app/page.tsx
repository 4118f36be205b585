"use client";
import { AppShell } from "@/components/AppShell";
import { Home as HomeScreen } from "@/features/stats/components/Home";
import { useDocumentTitle } from "@/lib/title";

export default function Home() {
  useDocumentTitle("dashboard.title");
  return <AppShell><HomeScreen /></AppShell>;
}
