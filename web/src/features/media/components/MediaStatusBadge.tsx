"use client";
import { useI18n } from "@/lib/i18n";
import { isMediaStatus, type Media, type MediaStatus } from "../api";
import { reasonKey } from "../reasons";

const colors: Record<MediaStatus, string> = {
  pending: "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200",
  scanning: "bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200",
  ready: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  rejected: "bg-rose-100 text-rose-800 dark:bg-rose-900/60 dark:text-rose-200",
  failed: "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200",
};

/** An item's status as a coloured pill (a pulsing dot while the server works on it). */
export function MediaStatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const known = isMediaStatus(status);
  return (
    <span data-media-status={status} className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium ${known ? colors[status] : colors.pending}`}>
      {(status === "scanning" || status === "pending") && <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current" />}
      {known ? t(`media.status.${status}`) : <span dir="ltr">{status}</span>}
    </span>
  );
}

/** Marks a ready item that no virus scanner looked at. */
export function NotScannedBadge() {
  const { t } = useI18n();
  return (
    <span data-testid="not-scanned" title={t("media.notScannedHint")}
      className="inline-flex items-center whitespace-nowrap rounded-full border border-dashed border-slate-400 px-2 py-0.5 text-xs text-slate-600 dark:border-slate-500 dark:text-slate-300">
      {t("media.notScanned")}
    </span>
  );
}

/** The status pill, with the not-scanned marker when it applies. */
export function MediaBadges({ status, scan }: { status: string; scan: string }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      <MediaStatusBadge status={status} />
      {scan === "not_scanned" && <NotScannedBadge />}
    </span>
  );
}

/** Why an item was refused, translated from its reason_code; nothing for an item that was not. */
export function ReasonLine({ m, clamp = false }: { m: Pick<Media, "reason" | "reason_code">; clamp?: boolean }) {
  const { t } = useI18n();
  const key = reasonKey(m);
  if (!key) return null;
  return <p className={`max-w-xs text-xs text-rose-700 dark:text-rose-300 ${clamp ? "line-clamp-2" : ""}`} data-testid="media-reason" data-reason={m.reason_code}>{t(key)}</p>;
}
