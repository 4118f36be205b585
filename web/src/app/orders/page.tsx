"use client";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { OrdersList } from "@/features/orders";
import { useDocumentTitle } from "@/lib/title";

export default function OrdersPage() {
  useDocumentTitle("orders.title");
  return (
    <AppShell>
      <Suspense><OrdersList /></Suspense>
    </AppShell>
  );
}
