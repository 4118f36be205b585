"use client";
import { Suspense } from "react";
import { AppShell } from "@/components/AppShell";
import { OrdersList } from "@/features/orders/components/OrdersList";

export default function OrdersPage() {
  return (
    <AppShell>
      <Suspense><OrdersList /></Suspense>
    </AppShell>
  );
}
