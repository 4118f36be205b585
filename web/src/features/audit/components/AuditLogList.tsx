"use client";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { can, useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { plural } from "@/lib/plural";
import { completeDay, useDraft, useUrlState } from "@/lib/urlState";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { DataTable } from "@/components/ui/DataTable";
import { Field, Select } from "@/components/ui/Field";
import { DatePicker } from "@/components/ui/DatePicker";
import { actionLabel, auditExportHref, resourceTypeLabel, auditFiltersCodec, knownActions, knownResourceTypes, useAuditLogs, type AuditEntry } from "../api";
import { ChangeDiff } from "./ChangeDiff";
import { UserPicker } from "./UserPicker";

const col = createColumnHelper<AuditEntry>();
const ltr = "font-mono text-xs";

/** The audit log: filters and page live in the URL; a row opens to its before/after per field. */
export function AuditLogList() {
  const { t, dateTime, exact, locale } = useI18n();
  const url = useUrlState(auditFiltersCodec);
  const filters = url.state;
  const me = useMe();
  const logs = useAuditLogs(filters);
  const [open, setOpen] = useState<Set<number>>(() => new Set());
  // free-text filters are applied after a short pause, dates once complete, choices at once
  const [resourceId, setResourceId, flushResourceId] = useDraft(filters.resourceId, (v) => url.update({ resourceId: v }));
  const [actorId, setActorId, flushActorId] = useDraft(filters.actorId, (v) => url.update({ actorId: v }));
  const [from, setFrom] = useDraft(filters.from, (v) => url.update({ from: v }), { delay: 0, complete: completeDay });
  const [to, setTo] = useDraft(filters.to, (v) => url.update({ to: v }), { delay: 0, complete: completeDay });
  const flush = () => [flushResourceId, flushActorId].forEach((f) => f());

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
          return a ? <span dir="ltr" className="whitespace-nowrap" data-actor-id={a.id}>{a.email}</span> : <span className="italic text-slate-500 dark:text-slate-400">{t("audit.system")}</span>;
        },
      }),
      col.accessor("action", { header: () => t("audit.action"), cell: (c) => <span className="whitespace-nowrap" title={c.getValue()} data-action={c.getValue()}>{actionLabel(t, c.getValue())}</span> }),
      col.display({
        id: "resource",
        header: () => t("audit.resource"),
        cell: (c) => {
          const r = c.row.original;
          return r.resource_type ? <span className="whitespace-nowrap" title={r.resource_type} data-resource-type={r.resource_type}>{resourceTypeLabel(t, r.resource_type)}{r.resource_id && <span className="text-slate-500 dark:text-slate-400">{" "}<bdi dir="ltr">{"#"}{r.resource_id}</bdi></span>}</span> : <span aria-hidden>{"—"}</span>;
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
  const total = logs.data?.total ?? 0;
  const err = logs.error instanceof ApiError ? logs.error : null;
  const hasFilters = url.isFiltered({ pageSize: 20 });
  const errorText = err?.fields.to ? t("audit.badRange") : explainListError(t, logs.error, "audit.error");

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
        <form role="search" onSubmit={(e) => { e.preventDefault(); flush(); }} className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-6">
          {can(me.data, "users.view") ? (
            <UserPicker label={t("audit.actor")} value={filters.actorId} onChange={(id) => url.update({ actorId: id })} className="xl:col-span-2" />
          ) : (
            <Field label={t("audit.actorId")} inputMode="numeric" dir="ltr" name="actor_id" className="xl:col-span-2" value={actorId}
              onChange={(e) => setActorId(e.target.value.replace(/\D/g, "").replace(/^0+/, "").slice(0, 16))} />
          )}
          {/* the known names in the current language; a value the app does not know yet (from a link) stays offered as it is */}
          <Select label={t("audit.action")} name="action" className="xl:col-span-2" value={filters.action} onChange={(e) => url.update({ action: e.target.value })}>
            <option value="">{t("audit.anyAction")}</option>
            {filters.action && !(knownActions as readonly string[]).includes(filters.action) && <option value={filters.action}>{filters.action}</option>}
            {knownActions.map((a) => <option key={a} value={a}>{actionLabel(t, a)}</option>)}
          </Select>
          <Select label={t("audit.resourceType")} name="resource_type" value={filters.resourceType} onChange={(e) => url.update({ resourceType: e.target.value })}>
            <option value="">{t("audit.anyResourceType")}</option>
            {filters.resourceType && !(knownResourceTypes as readonly string[]).includes(filters.resourceType) && <option value={filters.resourceType}>{filters.resourceType}</option>}
            {knownResourceTypes.map((a) => <option key={a} value={a}>{resourceTypeLabel(t, a)}</option>)}
          </Select>
          <Field label={t("audit.resourceId")} name="resource_id" dir="ltr" autoComplete="off" value={resourceId}
            onChange={(e) => setResourceId(e.target.value.slice(0, 200))} />
          <div className="grid grid-cols-2 gap-2 sm:col-span-2 lg:col-span-1 xl:col-span-6 xl:max-w-md">
            <DatePicker label={t("audit.from")} name="from" value={from} max={filters.to || undefined} onChange={setFrom} />
            <DatePicker label={t("audit.to")} name="to" value={to} min={filters.from || undefined} onChange={setTo} />
          </div>
          <button type="submit" className="sr-only">{t("audit.apply")}</button>
        </form>
        {hasFilters && <Button variant="ghost" className="mt-2" onClick={() => url.reset()}>{t("audit.clear")}</Button>}
      </Card>

      <DataTable
        label={t("audit.list")}
        data={data}
        columns={columns}
        getRowId={(r) => String(r.id)}
        loading={logs.isPending}
        fetching={logs.isFetching}
        skeletonRows={8}
        cellClassName="px-3 py-2.5 align-middle"
        rowAttributes={(r) => ({ "data-audit-id": r.id, "data-action": r.action, "data-changes": Object.keys(r.changes ?? {}).length })}
        afterRow={(r) => open.has(r.id) && (
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
        empty={<p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="audit-empty">{t("audit.empty")}</p>}
        error={logs.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{errorText}</p>
            <Button variant="secondary" onClick={() => logs.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
        paging={logs.isError ? undefined : {
          mode: "page", summary: t("audit.totalCount", { total }), page: filters.page, pages: logs.data?.total_pages ?? filters.page, pageSize: filters.pageSize,
          onPage: url.setPage, onPageSize: (pageSize) => url.update({ pageSize }),
        }}
      />
    </div>
  );
}
