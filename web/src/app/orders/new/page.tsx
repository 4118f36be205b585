"use client";
import { AppShell } from "@/app/shell";
import { can, useMe } from "@/lib/me";
import { CreateOrderForm } from "@/features/orders";
import { useI18n } from "@/lib/i18n";
import { useDocumentTitle } from "@/lib/title";

function NewOrder() {
  const me = useMe();
  const { t } = useI18n();
  if (me.isPending) return null;
  if (!can(me.data, "orders.create")) return <p role="alert">{t("error.forbidden")}</p>;
  return <CreateOrderForm />;
}

export default function NewOrderPage() {
  useDocumentTitle("create.title");
  return <AppShell><NewOrder /></AppShell>;
}
