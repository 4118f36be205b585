"use client";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { can, useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Pagination } from "@/components/ui/Pagination";
import { Card, SkeletonRows } from "@/components/ui/Card";
import { Field, Select } from "@/components/ui/Field";
import { filtersFromSearch, filtersToSearch, statuses, useOrders, type Order, type OrderFilters } from "../api";
import { StatusBadge } from "./StatusBadge";

const col = createColumnHelper<Order>();

/** The orders table: page, filters and sort live in the URL. */
export function OrdersList() {
  const { t, number, money, dateTime } = useI18n();
  const router = useRouter();
  const pathname = usePathname();
  const sp = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(sp.toString())), [sp]);
  const me = useMe();
  const orders = useOrders(filters);
  const [q, setQ] = useState(filters.q);
  useEffect(() => setQ(filters.q), [filters.q]);

  const go = (patch: Partial<OrderFilters>, resetPage = true) => {
    const next = { ...filters, ...patch, ...(resetPage && !("page" in patch) ? { page: 1 } : {}) };
    const qs = filtersToSearch(next);
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };
  // typing in the search box updates the URL after a short pause
  useEffect(() => {
    if (q === filters.q) return;
    const h = setTimeout(() => go({ q }), 350);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);

  const sortBy = (field: "created_at" | "total") => go({ sort: filters.sort === "-" + field ? field : (("-" + field) as OrderFilters["sort"]) });
  const sortMark = (field: string) => (filters.sort === field ? " ▲" : filters.sort === "-" + field ? " ▼" : "");
  const ariaSort = (field: string) => (filters.sort === field ? "ascending" : filters.sort === "-" + field ? "descending" : "none");

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
  const data = useMemo(() => orders.data?.items ?? [], [orders.data]);
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), manualPagination: true, manualSorting: true });

  const total = orders.data?.total ?? 0;
  const pages = orders.data?.total_pages ?? 0;
  const err = orders.error instanceof ApiError ? orders.error : null;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("orders.title")}</h1>
        {can(me.data, "orders.create") && (
          <Link prefetch={false} href="/orders/new" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">{t("orders.new")}</Link>
        )}
      </div>
      <Card>
        <form role="search" onSubmit={(e) => { e.preventDefault(); go({ q }); }} className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4 2xl:grid-cols-6">
          <Field label={t("orders.search")} className="lg:col-span-2" value={q} onChange={(e) => setQ(e.target.value)} type="search" name="q" />
          <Select label={t("orders.status")} value={filters.status[0] ?? ""} name="status" onChange={(e) => go({ status: e.target.value ? [e.target.value as Order["status"]] : [] })}>
            <option value="">{t("orders.allStatuses")}</option>
            {statuses.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
          </Select>
          <Field label={t("orders.from")} type="date" value={filters.createdFrom} onChange={(e) => go({ createdFrom: e.target.value })} />
          <Field label={t("orders.to")} type="date" value={filters.createdTo} onChange={(e) => go({ createdTo: e.target.value })} />
          <div className="grid grid-cols-2 gap-2">
            <Field label={t("orders.minTotal")} inputMode="numeric" value={filters.minTotal} onChange={(e) => go({ minTotal: e.target.value.replace(/\D/g, "") })} dir="ltr" />
            <Field label={t("orders.maxTotal")} inputMode="numeric" value={filters.maxTotal} onChange={(e) => go({ maxTotal: e.target.value.replace(/\D/g, "") })} dir="ltr" />
          </div>
        </form>
        {filtersToSearch({ ...filters, page: 1, pageSize: 20, sort: "-created_at" }) !== "" && (
          <Button variant="ghost" className="mt-2" onClick={() => router.replace(pathname)}>{t("orders.clear")}</Button>
        )}
      </Card>

      <Card className="overflow-x-auto p-0">
        <table className="w-full text-sm" aria-busy={orders.isFetching}>
          <thead className="border-b border-slate-200 bg-slate-50 text-start text-xs uppercase text-slate-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-400">
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const sortable = h.column.id === "total" || h.column.id === "created_at";
                  return (
                    <th key={h.id} scope="col" className="px-4 py-3 text-start font-medium" aria-sort={sortable ? ariaSort(h.column.id) : undefined}>
                      {sortable ? (
                        <button type="button" className="uppercase hover:text-slate-900 dark:hover:text-white" onClick={() => sortBy(h.column.id as "total" | "created_at")}>
                          {flexRender(h.column.columnDef.header, h.getContext())}{sortMark(h.column.id)}
                        </button>
                      ) : flexRender(h.column.columnDef.header, h.getContext())}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-700">
            {orders.isPending && <SkeletonRows rows={6} columns={columns.length} cellClassName="px-4 py-3" />}
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} data-order-id={row.original.id} className="hover:bg-slate-50 dark:hover:bg-slate-700/40">
                {row.getVisibleCells().map((cell) => <td key={cell.id} className="px-4 py-3 align-top">{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
        {orders.isSuccess && data.length === 0 && <p className="p-8 text-center text-slate-500 dark:text-slate-400">{t("orders.empty")}</p>}
        {orders.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{err?.status === 403 ? t("error.forbidden") : err?.status === 422 ? err.message : t("orders.error")}</p>
            <Button variant="secondary" onClick={() => orders.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
      </Card>

      {orders.isSuccess && (
        <Pagination summary={t("orders.totalCount", { total })} page={filters.page} pages={pages} pageSize={filters.pageSize}
          onPage={(page) => go({ page }, false)} onPageSize={(pageSize) => go({ pageSize })} />
      )}
    </div>
  );
}
