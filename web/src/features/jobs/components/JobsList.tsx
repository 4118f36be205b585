"use client";
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import { useMemo } from "react";
import { explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { useDraft, useUrlState } from "@/lib/urlState";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { DataTable } from "@/components/ui/DataTable";
import { Field } from "@/components/ui/Field";
import { jobFiltersCodec, jobGroupNames, lastError, snippet, useJobs, type Job } from "../api";
import { JobStateBadge } from "./JobStateBadge";
import { jobErrorWhy } from "../errors";

const col = createColumnHelper<Job>();
const tab = "whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium transition focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 text-slate-600 hover:text-slate-900 aria-pressed:bg-white aria-pressed:text-indigo-700 aria-pressed:shadow-sm dark:text-slate-300 dark:hover:text-white dark:aria-pressed:bg-slate-700 dark:aria-pressed:text-indigo-200";

/** The background job queue: state tabs, kind, page and page size live in the URL. */
export function JobsList() {
  const { t, number, dateTime, locale } = useI18n();
  const url = useUrlState(jobFiltersCodec);
  const filters = url.state;
  const jobs = useJobs(filters);
  // a kind is applied trimmed; spaces alone change nothing
  const [kind, setKind, flushKind] = useDraft(filters.kind, (v) => url.update({ kind: v.trim() }), { complete: (v) => v.trim() !== filters.kind });

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
  const total = jobs.data?.total ?? 0;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("jobs.title")}</h1>
      </div>
      <Card className="flex flex-wrap items-end justify-between gap-3">
        <div role="group" aria-label={t("jobs.state")} data-testid="job-tabs" className="inline-flex max-w-full overflow-x-auto rounded-lg bg-slate-100 p-1 dark:bg-slate-900">
          {jobGroupNames.map((g) => (
            <button key={g} type="button" aria-pressed={filters.group === g} data-group={g} className={tab} onClick={() => url.update({ group: g })}>{t(`jobs.group.${g}`)}</button>
          ))}
        </div>
        <form role="search" onSubmit={(e) => { e.preventDefault(); flushKind(); }} className="w-full sm:w-64">
          <Field label={t("jobs.kind")} name="kind" dir="auto" autoComplete="off" placeholder={t("jobs.kindExample")} value={kind} onChange={(e) => setKind(e.target.value.slice(0, 100))} />
        </form>
      </Card>

      <DataTable
        label={t("jobs.list")}
        data={data}
        columns={columns}
        getRowId={(j) => String(j.id)}
        loading={jobs.isPending}
        fetching={jobs.isFetching}
        cellClassName="px-4 py-2.5 align-middle"
        rowAttributes={(j) => ({ "data-job-id": j.id, "data-state": j.state, "data-kind": j.kind })}
        empty={<p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="jobs-empty">{t("jobs.empty")}</p>}
        error={jobs.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{explainListError(t, jobs.error, "jobs.error")}</p>
            <Button variant="secondary" onClick={() => jobs.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
        paging={jobs.isError ? undefined : {
          mode: "page", summary: t("jobs.totalCount", { total }), page: filters.page, pages: jobs.data?.total_pages ?? filters.page, pageSize: filters.pageSize,
          testId: "jobs-total", total, onPage: url.setPage, onPageSize: (pageSize) => url.update({ pageSize }),
        }}
      />
    </div>
  );
}
