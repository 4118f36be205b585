"use client";
import { useI18n } from "@/lib/i18n";
import type { OrderStatus } from "../api";

const colors: Record<OrderStatus, string> = {
  pending: "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200",
  paid: "bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200",
  processing: "bg-violet-100 text-violet-800 dark:bg-violet-900/60 dark:text-violet-200",
  shipped: "bg-indigo-100 text-indigo-800 dark:bg-indigo-900/60 dark:text-indigo-200",
  delivered: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  cancelled: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
  refunded: "bg-rose-100 text-rose-800 dark:bg-rose-900/60 dark:text-rose-200",
};

export function StatusBadge({ status }: { status: OrderStatus }) {
  const { t } = useI18n();
  return <span data-status={status} className={`inline-block whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium ${colors[status]}`}>{t(`status.${status}`)}</span>;
}
