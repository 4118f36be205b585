"use client";
import { useI18n } from "@/lib/i18n";
import { isJobState, type JobState } from "../api";

const colors: Record<JobState, string> = {
  available: "bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200",
  scheduled: "bg-indigo-100 text-indigo-800 dark:bg-indigo-900/60 dark:text-indigo-200",
  pending: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
  running: "bg-violet-100 text-violet-800 dark:bg-violet-900/60 dark:text-violet-200",
  retryable: "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200",
  discarded: "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200",
  completed: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  cancelled: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
};

/** A job's state as a coloured pill; a state this screen does not know is shown as the server names it. */
export function JobStateBadge({ state }: { state: string }) {
  const { t } = useI18n();
  const known = isJobState(state);
  return (
    <span data-job-state={state} className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium ${known ? colors[state] : colors.pending}`}>
      {state === "running" && <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current" />}
      {known ? t(`jobs.state.${state}`) : <span dir="ltr">{state}</span>}
    </span>
  );
}
