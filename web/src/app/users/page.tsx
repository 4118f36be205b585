"use client";
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
