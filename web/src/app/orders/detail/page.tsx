"use client";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { OrderDetail } from "@/features/orders";
import { useDocumentTitle } from "@/lib/title";

function Detail() {
  const id = Number(useSearchParams().get("id"));
  return <OrderDetail key={id} id={Number.isSafeInteger(id) && id > 0 ? id : 0} />;
}

export default function OrderDetailPage() {
  useDocumentTitle("title.order");
  return (
    <AppShell>
      <Suspense><Detail /></Suspense>
    </AppShell>
  );
}
