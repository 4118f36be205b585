"use client";
import { useI18n } from "@/lib/i18n";
import type { UserStatus } from "../api";

const colors: Record<UserStatus, string> = {
  active: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  invited: "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200",
  inactive: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
};

export function UserStatusBadge({ status }: { status: UserStatus }) {
  const { t } = useI18n();
  return <span data-user-status={status} className={`inline-block whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium ${colors[status]}`}>{t(`users.status.${status}`)}</span>;
}

/** Superuser: every permission, whatever the roles. */
export function SuperuserBadge() {
  const { t } = useI18n();
  return <span data-superuser className="inline-block whitespace-nowrap rounded-full bg-violet-100 px-2.5 py-0.5 text-xs font-medium text-violet-800 dark:bg-violet-900/60 dark:text-violet-200">{t("users.superuser")}</span>;
}
