"use client";
import { useI18n } from "@/lib/i18n";
import type { ProjectStatus } from "../types";

const colours: Record<ProjectStatus, string> = {
  draft: "bg-slate-100 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
  published: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  archived: "bg-zinc-200 text-zinc-700 dark:bg-zinc-700 dark:text-zinc-200",
};

/** A project's status in words (colour only repeats it); one from a newer server shows as sent. */
export function ProjectStatusBadge({ status }: { status: ProjectStatus }) {
  const { t } = useI18n();
  const known = status in colours;
  return (
    <span data-project-status={status} dir={known ? undefined : "ltr"} className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${known ? colours[status] : colours.draft}`}>
      {known ? t(`projects.status.${status}`) : status}
    </span>
  );
}
