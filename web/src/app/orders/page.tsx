"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { OrdersList } from "@/features/orders/components/OrdersList";
import { useDocumentTitle } from "@/lib/title";

export default function OrdersPage() {
  useDocumentTitle("orders.title");
  return (
    <AppShell>
      <Suspense><OrdersList /></Suspense>
    </AppShell>
  );
}
