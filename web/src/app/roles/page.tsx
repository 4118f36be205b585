"use client";
import { AppShell } from "@/app/shell";
import { RolesScreen } from "@/features/roles";
import { useDocumentTitle } from "@/lib/title";

export default function RolesPage() {
  useDocumentTitle("roles.title");
  return <AppShell><RolesScreen /></AppShell>;
}
