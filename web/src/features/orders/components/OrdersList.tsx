"use client";
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import { useMemo, useState } from "react";
import { can, useMe } from "@/lib/me";
import type { BulkOutcome } from "@/lib/bulk";
import { explainError, explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { plural } from "@/lib/plural";
import { completeDay, useDraft, useUrlState } from "@/lib/urlState";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { DatePicker } from "@/components/ui/DatePicker";
import { BulkReport, DataTable, sortFromParam, sortToParam, useRowSelection } from "@/components/ui/DataTable";
import { Field, Select } from "@/components/ui/Field";
import {
  orderChangeErrors, orderFiltersCodec, sortableOrderColumns, statuses, useBulkChangeStatus, useOrders, type Order, type OrderFilters, type OrderStatus,
} from "../api";
import { StatusBadge } from "./StatusBadge";

const col = createColumnHelper<Order>();
const rowId = (o: Order) => String(o.id);

/** The orders table: page, filters and sort live in the URL; selected orders change status together. */
export function OrdersList() {
  const { t, number, money, dateTime, locale } = useI18n();
  const url = useUrlState(orderFiltersCodec);
  const filters = url.state;
  const me = useMe();
  const orders = useOrders(filters);
  const [q, setQ, flushQ] = useDraft(filters.q, (v) => url.update({ q: v }));
  const [from, setFrom] = useDraft(filters.createdFrom, (v) => url.update({ createdFrom: v }), { delay: 0, complete: completeDay });
  const [to, setTo] = useDraft(filters.createdTo, (v) => url.update({ createdTo: v }), { delay: 0, complete: completeDay });

  const data = useMemo(() => orders.data?.items ?? [], [orders.data]);
  const canChange = can(me.data, "orders.update_status");
  const selection = useRowSelection(data, rowId);
  const bulk = useBulkChangeStatus();
  const [target, setTarget] = useState<OrderStatus | "">("");
  const [confirming, setConfirming] = useState(false);
  const [report, setReport] = useState<BulkOutcome<Order> | null>(null);

  async function changeSelected() {
    if (!target) return;
    const outcome = await bulk.mutateAsync({ orders: selection.selectedRows, status: target });
    setConfirming(false);
    selection.clear();
    setTarget("");
    setReport(outcome);
  }

  const columns = useMemo(
    () => [
      col.accessor("number", {
        header: () => t("orders.number"),
        cell: (c) => <Link prefetch={false} className="whitespace-nowrap font-medium text-indigo-600 hover:underline dark:text-indigo-400" href={`/orders/detail?id=${c.row.original.id}`} dir="ltr">{c.getValue()}</Link>,
      }),
      col.accessor("customer", {
        header: () => t("orders.customer"),
        cell: (c) => (
          <div>
            <div>{c.getValue().name}</div>
            <div className="text-xs text-slate-500 dark:text-slate-400" dir="ltr">{c.getValue().email}</div>
          </div>
        ),
      }),
      col.accessor("status", { header: () => t("orders.status"), cell: (c) => <StatusBadge status={c.getValue()} /> }),
      col.accessor("items_count", { header: () => t("orders.items"), cell: (c) => number(c.getValue()) }),
      col.accessor("total", { id: "total", header: () => t("orders.total"), cell: (c) => <span className="whitespace-nowrap tabular-nums">{money(c.getValue(), c.row.original.currency)}</span> }),
      col.accessor("created_at", { id: "created_at", header: () => t("orders.createdAt"), cell: (c) => <span className="whitespace-nowrap">{dateTime(c.getValue())}</span> }),
    ],
    [t, number, money, dateTime],
  );

  const n = selection.count;
  const confirmTitle = target
    ? plural(locale, n, { one: t("orders.bulk.confirmTitle.one", { status: t(`status.${target}`) }), other: t("orders.bulk.confirmTitle.other", { status: t(`status.${target}`) }) })
    : "";

  return (
    <div className="space-y-4">
      <div className="flex min-h-9 flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("orders.title")}</h1>
        {can(me.data, "orders.create") && (
          <Link prefetch={false} href="/orders/new" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">{t("orders.new")}</Link>
        )}
      </div>
      <Card>
        <form role="search" onSubmit={(e) => { e.preventDefault(); flushQ(); }} className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4 2xl:grid-cols-6">
          <Field label={t("orders.search")} className="lg:col-span-2" value={q} onChange={(e) => setQ(e.target.value)} type="search" name="q" />
          <Select label={t("orders.status")} value={filters.status[0] ?? ""} name="status" onChange={(e) => url.update({ status: e.target.value ? [e.target.value as OrderStatus] : [] })}>
            <option value="">{t("orders.allStatuses")}</option>
            {statuses.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
          </Select>
          <DatePicker label={t("orders.from")} name="created_from" value={from} onChange={setFrom} />
          <DatePicker label={t("orders.to")} name="created_to" value={to} onChange={setTo} />
          <div className="grid grid-cols-2 gap-2">
            <Field label={t("orders.minTotal")} inputMode="numeric" value={filters.minTotal} onChange={(e) => url.update({ minTotal: e.target.value.replace(/\D/g, "") })} dir="ltr" />
            <Field label={t("orders.maxTotal")} inputMode="numeric" value={filters.maxTotal} onChange={(e) => url.update({ maxTotal: e.target.value.replace(/\D/g, "") })} dir="ltr" />
          </div>
        </form>
        {url.isFiltered({ pageSize: 20, sort: "-created_at" }) && (
          <Button variant="ghost" className="mt-2" onClick={() => url.reset()}>{t("orders.clear")}</Button>
        )}
      </Card>

      {report && (
        <BulkReport outcome={report} name={(o) => o.number} explain={(e) => explainError(t, e, orderChangeErrors)} onDismiss={() => setReport(null)} />
      )}

      <DataTable
        label={t("orders.list")}
        data={data}
        columns={columns}
        getRowId={rowId}
        // the checkbox column waits for who the user is: added under rows already shown, it would move every cell
        loading={orders.isPending || (me.isPending && !orders.isError)}
        fetching={orders.isFetching}
        rowAttributes={(o) => ({ "data-order-id": o.id })}
        sorting={{ columns: sortableOrderColumns, sort: sortFromParam(filters.sort), onSort: (s) => url.update({ sort: sortToParam(s) as OrderFilters["sort"] }) }}
        selection={canChange ? {
          rows: selection,
          rowName: (o) => o.number,
          actions: (
            <form className="flex flex-wrap items-center gap-2" onSubmit={(e) => { e.preventDefault(); if (target) setConfirming(true); }}>
              <label className="sr-only" htmlFor="bulk-status">{t("orders.bulk.status")}</label>
              <select id="bulk-status" name="bulk_status" value={target} onChange={(e) => setTarget(e.target.value as OrderStatus | "")} data-testid="bulk-status"
                className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-800">
                <option value="">{t("orders.bulk.pick")}</option>
                {statuses.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
              </select>
              <Button type="submit" className="px-3 py-1.5" disabled={!target} data-testid="bulk-apply">{t("orders.bulk.apply")}</Button>
            </form>
          ),
        } : undefined}
        empty={<p className="p-8 text-center text-slate-500 dark:text-slate-400">{t("orders.empty")}</p>}
        error={orders.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{explainListError(t, orders.error, "orders.error")}</p>
            <Button variant="secondary" onClick={() => orders.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
        paging={orders.isError ? undefined : {
          mode: "page", summary: t("orders.totalCount", { total: orders.data?.total ?? 0 }), page: filters.page, pages: orders.data?.total_pages ?? filters.page, pageSize: filters.pageSize,
          onPage: url.setPage, onPageSize: (pageSize) => url.update({ pageSize }),
        }}
      />

      <ConfirmDialog open={confirming} title={confirmTitle} confirmLabel={t("orders.bulk.confirm")} cancelLabel={t("orders.bulk.cancel")}
        busy={bulk.isPending} onConfirm={changeSelected} onCancel={() => setConfirming(false)}>
        <p>{t("orders.bulk.confirmBody")}</p>
      </ConfirmDialog>
    </div>
  );
}
