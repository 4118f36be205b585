"use client";
import { AppShell } from "@/app/shell";
import { Home as HomeScreen } from "@/features/stats";
import { useDocumentTitle } from "@/lib/title";

export default function Home() {
  useDocumentTitle("dashboard.title");
  return <AppShell><HomeScreen /></AppShell>;
}
