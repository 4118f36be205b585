"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { AppShell } from "@/app/shell";
import { RolesScreen } from "@/features/roles";
import { useDocumentTitle } from "@/lib/title";

export default function RolesPage() {
  useDocumentTitle("roles.title");
  return <AppShell><RolesScreen /></AppShell>;
}
