"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { UsersList } from "@/features/users/components/UsersList";
import { useDocumentTitle } from "@/lib/title";

export default function UsersPage() {
  useDocumentTitle("users.title");
  return (
    <AppShell>
      <Suspense><UsersList /></Suspense>
    </AppShell>
  );
}
