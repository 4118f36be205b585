"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { UsersList } from "@/features/users/components/UsersList";

export default function UsersPage() {
  return (
    <AppShell>
      <Suspense><UsersList /></Suspense>
    </AppShell>
  );
}
