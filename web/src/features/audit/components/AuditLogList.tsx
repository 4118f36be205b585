"use client";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Fragment, useEffect, useMemo, useState } from "react";
import { can, useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { plural } from "@/lib/plural";
import { Button } from "@/components/ui/Button";
import { Pagination } from "@/components/ui/Pagination";
import { Card, SkeletonRows } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import {
  actionLabel, auditExportHref, auditFiltersFromSearch, auditFiltersToSearch, knownActions, knownResourceTypes, useAuditLogs,
  type AuditEntry, type AuditFilters,
} from "../api";
import { ChangeDiff } from "./ChangeDiff";
import { UserPicker } from "./UserPicker";

const col = createColumnHelper<AuditEntry>();
const ltr = "font-mono text-xs";

/** The audit log: filters and page live in the URL; a row opens to its before/after per field. */
export function AuditLogList() {
  const { t, dateTime, exact, locale } = useI18n();
  const router = useRouter();
  const pathname = usePathname();
  const sp = useSearchParams();
  const filters = useMemo(() => auditFiltersFromSearch(new URLSearchParams(sp.toString())), [sp]);
  const me = useMe();
  const logs = useAuditLogs(filters);
  const [open, setOpen] = useState<Set<number>>(() => new Set());
  // free-text filters update the URL after a short pause
  const [text, setText] = useState({ action: filters.action, resourceType: filters.resourceType, resourceId: filters.resourceId, actorId: filters.actorId });
  useEffect(
    () => setText({ action: filters.action, resourceType: filters.resourceType, resourceId: filters.resourceId, actorId: filters.actorId }),
    [filters.action, filters.resourceType, filters.resourceId, filters.actorId],
  );

  const go = (patch: Partial<AuditFilters>, resetPage = true) => {
    const next = { ...filters, ...patch, ...(resetPage && !("page" in patch) ? { page: 1 } : {}) };
    const qs = auditFiltersToSearch(next);
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };
  useEffect(() => {
    if (text.action === filters.action && text.resourceType === filters.resourceType && text.resourceId === filters.resourceId && text.actorId === filters.actorId) return;
    const h = setTimeout(() => go(text), 350);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  const toggle = (id: number) => setOpen((s) => {
    const n = new Set(s);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });

  const columns = useMemo(
    () => [
      col.display({
        id: "expand",
        header: () => <span className="sr-only">{t("audit.details")}</span>,
        cell: (c) => {
          const isOpen = open.has(c.row.original.id);
          return (
            <button type="button" onClick={() => toggle(c.row.original.id)} aria-expanded={isOpen} aria-controls={`audit-${c.row.original.id}`}
              aria-label={t(isOpen ? "audit.collapse" : "audit.expand")} title={t(isOpen ? "audit.collapse" : "audit.expand")} data-testid="expand"
              className="flex size-7 items-center justify-center rounded-md text-slate-500 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-400 dark:hover:bg-slate-700">
              <span aria-hidden className={`inline-block transition-transform ${isOpen ? "rotate-90" : "rtl:rotate-180"}`}>{"▸"}</span>
            </button>
          );
        },
      }),
      col.accessor("at", { header: () => t("audit.at"), cell: (c) => <time dateTime={c.getValue()} title={exact(c.getValue())} className="whitespace-nowrap">{dateTime(c.getValue())}</time> }),
      col.accessor("actor", {
        header: () => t("audit.actor"),
        cell: (c) => {
          const a = c.getValue();
          return a ? <span dir="ltr" className="break-all" data-actor-id={a.id}>{a.email}</span> : <span className="italic text-slate-500 dark:text-slate-400">{t("audit.system")}</span>;
        },
      }),
      col.accessor("action", { header: () => t("audit.action"), cell: (c) => <span className="whitespace-nowrap" title={c.getValue()} data-action={c.getValue()}>{actionLabel(t, c.getValue())}</span> }),
      col.display({
        id: "resource",
        header: () => t("audit.resource"),
        cell: (c) => {
          const r = c.row.original;
          return r.resource_type ? <span dir="ltr" className={`${ltr} whitespace-nowrap`}>{r.resource_type}{r.resource_id && <span className="text-slate-500 dark:text-slate-400">{" #"}{r.resource_id}</span>}</span> : <span aria-hidden>{"—"}</span>;
        },
      }),
      col.accessor("ip", { header: () => t("audit.ip"), cell: (c) => (c.getValue() ? <span dir="ltr" className={ltr}>{c.getValue()}</span> : <span aria-hidden>{"—"}</span>) }),
      col.display({
        id: "changes",
        header: () => t("audit.changes"),
        cell: (c) => {
          const n = Object.keys(c.row.original.changes ?? {}).length;
          return <span className="whitespace-nowrap text-slate-600 dark:text-slate-300">{n ? plural(locale, n, { one: t("audit.fields.one"), other: t("audit.fields.other") }) : "—"}</span>;
        },
      }),
    ],
    [t, dateTime, exact, locale, open],
  );
  const data = useMemo(() => logs.data?.items ?? [], [logs.data]);
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), manualPagination: true, getRowId: (r) => String(r.id) });

  const total = logs.data?.total ?? 0;
  const pages = logs.data?.total_pages ?? 0;
  const err = logs.error instanceof ApiError ? logs.error : null;
  const hasFilters = auditFiltersToSearch({ ...filters, page: 1, pageSize: 20 }) !== "";
  const errorText = !err ? t("audit.error")
    : err.status === 403 ? t("error.forbidden")
      : err.fields.to ? t("audit.badRange")
        : err.status === 422 || err.code === "INVALID_JSON" ? err.message
          : err.code === "INTERNAL" ? t("error.generic", { id: err.requestId }) : t("audit.error");

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("audit.title")}</h1>
        <a href={auditExportHref(filters)} download data-testid="audit-export"
          className="inline-flex items-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700">
          <span aria-hidden>{"⤓"}</span>{t("audit.export")}
        </a>
      </div>
      <Card>
        <form role="search" onSubmit={(e) => { e.preventDefault(); go(text); }} className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-6">
          {can(me.data, "users.view") ? (
            <UserPicker label={t("audit.actor")} value={filters.actorId} onChange={(id) => go({ ...text, actorId: id })} className="xl:col-span-2" />
          ) : (
            <Field label={t("audit.actorId")} inputMode="numeric" dir="ltr" name="actor_id" className="xl:col-span-2" value={text.actorId}
              onChange={(e) => setText((s) => ({ ...s, actorId: e.target.value.replace(/\D/g, "").replace(/^0+/, "").slice(0, 16) }))} />
          )}
          <Field label={t("audit.action")} name="action" list="audit-actions" className="xl:col-span-2" dir="ltr" autoComplete="off" value={text.action}
            onChange={(e) => setText((s) => ({ ...s, action: e.target.value.slice(0, 200) }))} />
          <datalist id="audit-actions">{knownActions.map((a) => <option key={a} value={a}>{actionLabel(t, a)}</option>)}</datalist>
          <Field label={t("audit.resourceType")} name="resource_type" list="audit-resource-types" dir="ltr" autoComplete="off" value={text.resourceType}
            onChange={(e) => setText((s) => ({ ...s, resourceType: e.target.value.slice(0, 200) }))} />
          <datalist id="audit-resource-types">{knownResourceTypes.map((a) => <option key={a} value={a} />)}</datalist>
          <Field label={t("audit.resourceId")} name="resource_id" dir="ltr" autoComplete="off" value={text.resourceId}
            onChange={(e) => setText((s) => ({ ...s, resourceId: e.target.value.slice(0, 200) }))} />
          <div className="grid grid-cols-2 gap-2 sm:col-span-2 lg:col-span-1 xl:col-span-6 xl:max-w-md">
            <Field label={t("audit.from")} type="date" name="from" value={filters.from} max={filters.to || undefined} onChange={(e) => go({ ...text, from: e.target.value })} />
            <Field label={t("audit.to")} type="date" name="to" value={filters.to} min={filters.from || undefined} onChange={(e) => go({ ...text, to: e.target.value })} />
          </div>
          <button type="submit" className="sr-only">{t("audit.apply")}</button>
        </form>
        {hasFilters && <Button variant="ghost" className="mt-2" onClick={() => router.replace(pathname)}>{t("audit.clear")}</Button>}
      </Card>

      <Card className="overflow-x-auto p-0">
        <table className="w-full text-sm" aria-busy={logs.isFetching}>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase text-slate-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-400">
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => <th key={h.id} scope="col" className="px-3 py-3 text-start font-medium first:w-10">{flexRender(h.column.columnDef.header, h.getContext())}</th>)}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-700">
            {logs.isPending && <SkeletonRows rows={8} columns={columns.length} cellClassName="px-3 py-3" />}
            {table.getRowModel().rows.map((row) => {
              const r = row.original;
              const isOpen = open.has(r.id);
              return (
                <Fragment key={row.id}>
                  <tr data-audit-id={r.id} data-action={r.action} data-changes={Object.keys(r.changes ?? {}).length} className={`hover:bg-slate-50 dark:hover:bg-slate-700/40 ${isOpen ? "bg-slate-50 dark:bg-slate-700/30" : ""}`}>
                    {row.getVisibleCells().map((cell) => <td key={cell.id} className="px-3 py-2.5 align-middle">{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}
                  </tr>
                  {isOpen && (
                    <tr id={`audit-${r.id}`} data-testid="audit-details" className="bg-slate-50/60 dark:bg-slate-900/40">
                      <td colSpan={columns.length} className="px-4 pb-5 pt-3 md:ps-14">
                        <ChangeDiff changes={r.changes ?? {}} />
                        <dl className="mt-4 grid gap-x-6 gap-y-2 border-t border-slate-200 pt-3 text-xs sm:grid-cols-[auto_1fr] dark:border-slate-700">
                          <dt className="text-slate-500 dark:text-slate-400">{t("audit.entryId")}</dt>
                          <dd><span dir="ltr" className={ltr}>{r.id}</span></dd>
                          <dt className="text-slate-500 dark:text-slate-400">{t("audit.at")}</dt>
                          <dd><span dir="ltr" className={ltr}>{r.at}</span></dd>
                          <dt className="text-slate-500 dark:text-slate-400">{t("audit.requestId")}</dt>
                          <dd className="break-all"><span dir="ltr" className={`${ltr} select-all`}>{r.request_id || "—"}</span></dd>
                          <dt className="text-slate-500 dark:text-slate-400">{t("audit.userAgent")}</dt>
                          <dd className="break-all"><span dir="ltr" className={ltr}>{r.user_agent || "—"}</span></dd>
                        </dl>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
        {logs.isSuccess && data.length === 0 && <p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="audit-empty">{t("audit.empty")}</p>}
        {logs.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{errorText}</p>
            <Button variant="secondary" onClick={() => logs.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
      </Card>

      {logs.isSuccess && (
        <Pagination summary={t("audit.totalCount", { total })} page={filters.page} pages={pages} pageSize={filters.pageSize}
          onPage={(page) => go({ page }, false)} onPageSize={(pageSize) => go({ pageSize })} />
      )}
    </div>
  );
}
