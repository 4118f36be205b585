"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { UsersList } from "@/features/users";
import { useDocumentTitle } from "@/lib/title";

export default function UsersPage() {
  useDocumentTitle("users.title");
  return (
    <AppShell>
      <Suspense><UsersList /></Suspense>
    </AppShell>
  );
}
