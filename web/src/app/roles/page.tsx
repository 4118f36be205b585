"use client";
import { AppShell } from "@/components/AppShell";
import { RolesScreen } from "@/features/roles/components/RolesScreen";

export default function RolesPage() {
  return <AppShell><RolesScreen /></AppShell>;
}
