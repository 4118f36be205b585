"use client";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { canCancel, canRetry, useJob, useJobAction } from "../api";
import { explainJobError, jobErrorWhy } from "../errors";
import { JobStateBadge } from "./JobStateBadge";

const mono = "font-mono text-xs";

/** One job: what it was asked to do (args), every attempt's error, and retry or cancel where the state allows. */
export function JobDetail({ id }: { id: number }) {
  const { t, number, dateTime, exact } = useI18n();
  const job = useJob(id);
  const action = useJobAction(id);
  const toast = useToast();
  const [dialog, setDialog] = useState<"" | "retry" | "cancel">("");
  const [failure, setFailure] = useState("");

  if (id === 0 || job.isError) {
    const e = job.error instanceof ApiError ? job.error : null;
    return (
      <Card role="alert" className="text-center">
        <p className="mb-3">{id === 0 || e?.status === 404 ? t("jobs.notFound") : e?.status === 403 ? t("error.forbidden") : t("jobs.error")}</p>
        <Link prefetch={false} href="/jobs" className="text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("jobs.back")}</Link>
      </Card>
    );
  }
  if (job.isPending) return <div className="space-y-4" aria-busy><Skeleton className="h-8 w-64" /><Skeleton className="h-40 w-full" /><Skeleton className="h-56 w-full" /></div>;
  const j = job.data;
  const errors = [...j.errors].sort((a, b) => b.attempt - a.attempt || b.at.localeCompare(a.at));

  async function run(kind: "retry" | "cancel") {
    setFailure("");
    try {
      await action.mutateAsync(kind);
      toast("info", t(kind === "retry" ? "jobs.retried" : "jobs.cancelled", { id: number(id) }));
    } catch (e) {
      setFailure(explainJobError(t, e));
    } finally {
      setDialog("");
    }
  }

  const when = (v: string | null) => (v ? <time dateTime={v} title={exact(v)}>{dateTime(v)}</time> : <span aria-hidden>{"—"}</span>);
  const row = (label: string, value: ReactNode) => (
    <div className="flex flex-wrap justify-between gap-x-4 gap-y-0.5 py-2"><dt className="text-slate-500 dark:text-slate-400">{label}</dt><dd className="text-end">{value}</dd></div>
  );

  return (
    <div className="space-y-4" data-testid="job-detail" data-job-id={j.id} data-state={j.state}>
      <Link prefetch={false} href="/jobs" className="text-sm text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("jobs.back")}</Link>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-bold">{t("jobs.detailTitle", { id: number(j.id) })}</h1>
          <span data-testid="job-state"><JobStateBadge state={j.state} /></span>
        </div>
        <div className="flex flex-wrap gap-2">
          {canRetry(j.state) && <Button onClick={() => { setFailure(""); setDialog("retry"); }} disabled={action.isPending} data-testid="job-retry">{t("jobs.retry")}</Button>}
          {canCancel(j.state) && <Button variant="danger" onClick={() => { setFailure(""); setDialog("cancel"); }} disabled={action.isPending} data-testid="job-cancel">{t("jobs.cancel")}</Button>}
        </div>
      </div>
      {failure && <p role="alert" data-testid="job-action-error" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">{failure}</p>}

      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <Card>
          <h2 className="mb-2 font-semibold">{t("jobs.details")}</h2>
          <dl className="divide-y divide-slate-100 text-sm dark:divide-slate-700">
            {row(t("jobs.kind"), <code dir="ltr" className={mono}>{j.kind}</code>)}
            {row(t("jobs.queue"), <code dir="ltr" className={mono}>{j.queue}</code>)}
            {row(t("jobs.attempts"), <span className="tabular-nums">{t("jobs.attemptOf", { attempt: j.attempt, max: j.max_attempts })}</span>)}
            {row(t("jobs.createdAt"), when(j.created_at))}
            {row(t("jobs.scheduledAt"), when(j.scheduled_at))}
            {row(t("jobs.attemptedAt"), when(j.attempted_at))}
            {row(t("jobs.finalizedAt"), when(j.finalized_at))}
          </dl>
        </Card>
        <Card className="min-w-0 lg:col-span-2">
          <h2 className="mb-2 font-semibold">{t("jobs.args")}</h2>
          <pre dir="ltr" data-testid="job-args" className="max-h-80 overflow-auto rounded-md bg-slate-50 p-3 text-start font-mono text-xs leading-relaxed dark:bg-slate-900">{JSON.stringify(j.args, null, 2)}</pre>
        </Card>
      </div>

      <Card>
        <h2 className="mb-3 font-semibold">{t("jobs.errors")}</h2>
        {errors.length === 0 ? <p className="text-sm text-slate-500 dark:text-slate-400" data-testid="job-no-errors">{t("jobs.noErrors")}</p> : (
          <ol className="space-y-3" data-testid="job-errors">
            {errors.map((e) => (
              <li key={`${e.attempt}-${e.at}`} data-attempt={e.attempt} className="rounded-md border border-red-200 bg-red-50/60 p-3 dark:border-red-900 dark:bg-red-950/40">
                <div className="mb-1 flex flex-wrap items-center justify-between gap-2 text-xs text-slate-600 dark:text-slate-300">
                  <span className="font-semibold">{t("jobs.attemptN", { n: e.attempt })}</span>
                  {when(e.at)}
                </div>
                <p className="mb-1 text-sm font-medium text-red-800 dark:text-red-200" data-testid="job-error-why">{t(jobErrorWhy(e))}</p>
                <pre dir="ltr" lang="en" title={t("jobs.rawError")} className="overflow-x-auto whitespace-pre-wrap break-words text-start font-mono text-xs text-red-800 dark:text-red-200">{e.error}</pre>
              </li>
            ))}
          </ol>
        )}
      </Card>

      <ConfirmDialog open={dialog === "retry"} title={t("jobs.retryTitle", { id: number(j.id) })} confirmLabel={t("jobs.retry")} cancelLabel={t("tfa.cancel")}
        busy={action.isPending} onConfirm={() => run("retry")} onCancel={() => setDialog("")}>
        <p>{t("jobs.retryBody", { kind: j.kind })}</p>
      </ConfirmDialog>
      <ConfirmDialog open={dialog === "cancel"} title={t("jobs.cancelTitle", { id: number(j.id) })} confirmLabel={t("jobs.cancelConfirm")} cancelLabel={t("jobs.keep")}
        danger busy={action.isPending} onConfirm={() => run("cancel")} onCancel={() => setDialog("")}>
        <p>{t(j.state === "running" ? "jobs.cancelRunningBody" : "jobs.cancelBody", { kind: j.kind })}</p>
      </ConfirmDialog>
    </div>
  );
}
