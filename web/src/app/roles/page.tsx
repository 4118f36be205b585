"use client";
import { AppShell } from "@/components/AppShell";
import { RolesScreen } from "@/features/roles/components/RolesScreen";
import { useDocumentTitle } from "@/lib/title";

export default function RolesPage() {
  useDocumentTitle("roles.title");
  return <AppShell><RolesScreen /></AppShell>;
}
