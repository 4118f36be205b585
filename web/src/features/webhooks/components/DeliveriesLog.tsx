"use client";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { plural } from "@/lib/plural";
import { DataTable } from "@/components/ui/DataTable";
import { useDeliveries } from "../api";
import type { Delivery, DeliveryStatus } from "../types";

const col = createColumnHelper<Delivery>();
const colours: Record<DeliveryStatus, string> = {
  pending: "bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200",
  succeeded: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  failed: "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200",
};

/** A webhook's deliveries, newest first, paged: event, outcome, response code, attempts, time; the error or response excerpt on hover and for screen readers. */
export function DeliveriesLog({ webhookId }: { webhookId: number }) {
  const { t, number, dateTime, locale } = useI18n();
  const [page, setPage] = useState(1);
  const deliveries = useDeliveries(webhookId, page);
  const data = useMemo(() => deliveries.data?.items ?? [], [deliveries.data]);
  const columns = useMemo(
    () => [
      col.accessor("event", { header: () => t("webhooks.d.event"), cell: (c) => <code dir="ltr" className="text-xs">{c.getValue()}</code> }),
      col.accessor("status", {
        header: () => t("webhooks.d.status"),
        cell: (c) => {
          const s = c.getValue();
          const known = s in colours;
          return <span data-delivery-status={s} className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ${known ? colours[s] : colours.pending}`}>{known ? t(`webhooks.d.${s}`) : s}</span>;
        },
      }),
      col.accessor("response_code", { header: () => t("webhooks.d.code"), cell: (c) => (c.getValue() === null ? <span aria-hidden className="text-slate-400">{"—"}</span> : <span className="tabular-nums" dir="ltr">{c.getValue()}</span>) }),
      col.accessor("attempts", { header: () => t("webhooks.d.attempts"), cell: (c) => number(c.getValue()) }),
      col.accessor("created_at", { header: () => t("webhooks.d.at"), cell: (c) => <time dateTime={c.getValue()} className="whitespace-nowrap">{dateTime(c.getValue())}</time> }),
      col.display({
        id: "detail",
        header: () => t("webhooks.d.detail"),
        cell: (c) => {
          const d = c.row.original;
          const text = d.error || d.response_excerpt;
          return text ? <span dir="ltr" lang="en" title={text} className="inline-block max-w-xs truncate align-bottom font-mono text-xs">{text}</span> : <span className="text-xs text-slate-500">{t("webhooks.d.ms", { ms: d.duration_ms })}</span>;
        },
      }),
    ],
    [t, number, dateTime],
  );
  return (
    <div className="space-y-2 p-3" data-testid={`deliveries-${webhookId}`}>
      <h3 className="text-sm font-semibold">{t("webhooks.d.title")}</h3>
      <DataTable label={t("webhooks.d.title")} data={data} columns={columns} getRowId={(d) => String(d.id)} loading={deliveries.isPending} fetching={deliveries.isFetching} skeletonRows={3}
        cellClassName="px-3 py-2 align-middle" rowAttributes={(d) => ({ "data-delivery-id": d.id })}
        empty={<p className="p-4 text-center text-sm text-slate-500">{t("webhooks.d.empty")}</p>}
        error={deliveries.isError && <p role="alert" className="p-4 text-center text-sm text-red-600">{explainListError(t, deliveries.error, "webhooks.d.error")}</p>}
        paging={deliveries.isError ? undefined : {
          mode: "page", summary: plural(locale, deliveries.data?.total ?? 0, { one: t("webhooks.d.total.one"), other: t("webhooks.d.total.other") }), page, pages: deliveries.data?.total_pages ?? page, pageSize: 20, pageSizes: [20],
          onPage: setPage, onPageSize: () => {},
        }} />
    </div>
  );
}
