"use client";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Pagination } from "@/components/ui/Pagination";
import { Card, SkeletonRows } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import { jobFiltersFromSearch, jobFiltersToSearch, jobGroupNames, lastError, snippet, useJobs, type Job, type JobFilters } from "../api";
import { JobStateBadge } from "./JobStateBadge";
import { jobErrorWhy } from "../errors";

const col = createColumnHelper<Job>();
const tab = "whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium transition focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 text-slate-600 hover:text-slate-900 aria-pressed:bg-white aria-pressed:text-indigo-700 aria-pressed:shadow-sm dark:text-slate-300 dark:hover:text-white dark:aria-pressed:bg-slate-700 dark:aria-pressed:text-indigo-200";

/** The background job queue: state tabs, kind, page and page size live in the URL. */
export function JobsList() {
  const { t, number, dateTime, locale } = useI18n();
  const router = useRouter();
  const pathname = usePathname();
  const sp = useSearchParams();
  const filters = useMemo(() => jobFiltersFromSearch(new URLSearchParams(sp.toString())), [sp]);
  const jobs = useJobs(filters);
  const [kind, setKind] = useState(filters.kind);
  useEffect(() => setKind(filters.kind), [filters.kind]);

  const go = (patch: Partial<JobFilters>, resetPage = true) => {
    const next = { ...filters, ...patch, ...(resetPage && !("page" in patch) ? { page: 1 } : {}) };
    const qs = jobFiltersToSearch(next);
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };
  // typing a kind updates the URL after a short pause
  useEffect(() => {
    if (kind.trim() === filters.kind) return;
    const h = setTimeout(() => go({ kind: kind.trim() }), 350);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kind]);

  const columns = useMemo(
    () => [
      col.accessor("id", {
        header: () => t("jobs.id"),
        cell: (c) => <Link prefetch={false} href={`/jobs/detail?id=${c.getValue()}`} className="font-medium text-indigo-600 tabular-nums hover:underline dark:text-indigo-400" aria-label={t("jobs.open", { id: c.getValue() })}>{"#"}{number(c.getValue())}</Link>,
      }),
      col.accessor("kind", { header: () => t("jobs.kind"), cell: (c) => <code dir="ltr" className="whitespace-nowrap rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs dark:bg-slate-700">{c.getValue()}</code> }),
      col.accessor("state", { header: () => t("jobs.state"), cell: (c) => <JobStateBadge state={c.getValue()} /> }),
      col.display({
        id: "attempts",
        header: () => t("jobs.attempts"),
        cell: (c) => <span className="whitespace-nowrap tabular-nums">{t("jobs.attemptOf", { attempt: c.row.original.attempt, max: c.row.original.max_attempts })}</span>,
      }),
      col.accessor("created_at", { header: () => t("jobs.createdAt"), cell: (c) => <time dateTime={c.getValue()} className="whitespace-nowrap">{dateTime(c.getValue())}</time> }),
      col.display({
        id: "error",
        header: () => t("jobs.lastError"),
        cell: (c) => {
          const e = lastError(c.row.original);
          if (!e) return <span aria-hidden className="text-slate-400">{"—"}</span>;
          // Persian readers get what it means; the server's English text stays in the tooltip
          return locale === "fa"
            ? <span title={e.error} className="inline-block max-w-xs truncate align-bottom text-xs text-red-700 dark:text-red-300" data-testid="job-error">{t(jobErrorWhy(e))}</span>
            : <span dir="ltr" lang="en" title={e.error} className="inline-block max-w-xs truncate align-bottom font-mono text-xs text-red-700 dark:text-red-300" data-testid="job-error">{snippet(e.error)}</span>;
        },
      }),
    ],
    [t, number, dateTime, locale],
  );
  const data = useMemo(() => jobs.data?.items ?? [], [jobs.data]);
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), manualPagination: true, getRowId: (r) => String(r.id) });

  const total = jobs.data?.total ?? 0;
  const pages = jobs.data?.total_pages ?? 0;
  const err = jobs.error instanceof ApiError ? jobs.error : null;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("jobs.title")}</h1>
      </div>
      <Card className="flex flex-wrap items-end justify-between gap-3">
        <div role="group" aria-label={t("jobs.state")} data-testid="job-tabs" className="inline-flex max-w-full overflow-x-auto rounded-lg bg-slate-100 p-1 dark:bg-slate-900">
          {jobGroupNames.map((g) => (
            <button key={g} type="button" aria-pressed={filters.group === g} data-group={g} className={tab} onClick={() => go({ group: g })}>{t(`jobs.group.${g}`)}</button>
          ))}
        </div>
        <form role="search" onSubmit={(e) => { e.preventDefault(); go({ kind: kind.trim() }); }} className="w-full sm:w-64">
          <Field label={t("jobs.kind")} name="kind" dir="auto" autoComplete="off" placeholder={t("jobs.kindExample")} value={kind} onChange={(e) => setKind(e.target.value.slice(0, 100))} />
        </form>
      </Card>

      <Card className="overflow-x-auto p-0">
        <table className="w-full text-sm" aria-busy={jobs.isFetching}>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase text-slate-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-400">
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => <th key={h.id} scope="col" className="px-4 py-3 text-start font-medium">{flexRender(h.column.columnDef.header, h.getContext())}</th>)}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-700">
            {jobs.isPending && <SkeletonRows rows={6} columns={columns.length} cellClassName="px-4 py-3" />}
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} data-job-id={row.original.id} data-state={row.original.state} data-kind={row.original.kind} className="hover:bg-slate-50 dark:hover:bg-slate-700/40">
                {row.getVisibleCells().map((cell) => <td key={cell.id} className="px-4 py-2.5 align-middle">{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
        {jobs.isSuccess && data.length === 0 && <p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="jobs-empty">{t("jobs.empty")}</p>}
        {jobs.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{err?.status === 403 ? t("error.forbidden") : err?.status === 422 ? err.message : err?.code === "INTERNAL" ? t("error.generic", { id: err.requestId }) : t("jobs.error")}</p>
            <Button variant="secondary" onClick={() => jobs.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
      </Card>

      {jobs.isSuccess && (
        <Pagination summary={t("jobs.totalCount", { total })} page={filters.page} pages={pages} pageSize={filters.pageSize} testId="jobs-total" total={total}
          onPage={(page) => go({ page }, false)} onPageSize={(pageSize) => go({ pageSize })} />
      )}
    </div>
  );
}
