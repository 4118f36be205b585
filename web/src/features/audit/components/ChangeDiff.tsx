"use client";
import type { ReactNode } from "react";
import { useI18n } from "@/lib/i18n";
import type { AuditChange } from "../api";

export type ChangeKind = "added" | "removed" | "changed" | "same";

const isEmpty = (v: unknown) => v === null || v === undefined || v === "";

/** Whether a field was set (added), cleared (removed) or changed. */
export function changeKind(c: AuditChange): ChangeKind {
  if (isEmpty(c.from) && !isEmpty(c.to)) return "added";
  if (!isEmpty(c.from) && isEmpty(c.to)) return "removed";
  // a secret's change is recorded masked on both sides ("***" → "***")
  const masked = typeof c.from === "string" && /^\*+$/.test(c.from);
  return !masked && JSON.stringify(c.from) === JSON.stringify(c.to) ? "same" : "changed";
}

const key = (v: unknown) => JSON.stringify(v);

/** For two lists: the elements only in before (removed) and only in after (added). */
export function listDiff(from: unknown[], to: unknown[]) {
  const inTo = new Set(to.map(key));
  const inFrom = new Set(from.map(key));
  return { removed: new Set(from.map(key).filter((k) => !inTo.has(k))), added: new Set(to.map(key).filter((k) => !inFrom.has(k))) };
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const chip = "inline-block rounded px-1.5 py-0.5 font-mono text-xs";
const plain = `${chip} bg-slate-100 text-slate-800 dark:bg-slate-700 dark:text-slate-100`;
const addedCls = `${chip} bg-emerald-100 text-emerald-900 ring-1 ring-emerald-300 dark:bg-emerald-900/60 dark:text-emerald-100 dark:ring-emerald-700`;
const removedCls = `${chip} bg-red-100 text-red-900 ring-1 ring-red-300 dark:bg-red-900/60 dark:text-red-100 dark:ring-red-700`;

/**
 * One value as stored: "—" for nothing, yes/no for booleans, a list as
 * chips (with the elements the other side lacks marked), objects as JSON.
 * Technical values stay left-to-right inside RTL; free text takes its own
 * direction (dir="auto"), so a Persian name reads right.
 */
export function Value({ value, marks, mark }: { value: unknown; marks?: Set<string>; mark?: "added" | "removed" }) {
  const { t, dateTime, exact } = useI18n();
  if (value === "") return <span className="text-xs italic text-slate-500 dark:text-slate-400">{t("audit.emptyText")}</span>;
  if (isEmpty(value)) return <span className="text-slate-400 dark:text-slate-500" title={t("audit.none")}><span aria-hidden>{"—"}</span><span className="sr-only">{t("audit.none")}</span></span>;
  if (typeof value === "boolean") return <span className={plain} data-value={String(value)}>{t(value ? "audit.yes" : "audit.no")}</span>;
  if (typeof value === "number") return <span className={`${plain} tabular-nums`} dir="ltr">{String(value)}</span>;
  if (typeof value === "string") {
    if (rfc3339.test(value)) return <time dateTime={value} title={exact(value)} className={plain}>{dateTime(value)}</time>;
    return <bdi dir="auto" className="whitespace-pre-wrap break-words [overflow-wrap:anywhere]">{value}</bdi>;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="text-xs italic text-slate-500 dark:text-slate-400">{t("audit.emptyList")}</span>;
    return (
      <ul className="flex flex-wrap gap-1">
        {value.map((v, i) => {
          const marked = mark && marks?.has(key(v));
          return (
            <li key={i} dir="ltr" className={marked ? (mark === "added" ? addedCls : removedCls) : plain} data-mark={marked ? mark : undefined}>
              {marked && <span aria-hidden className="me-1 font-bold">{mark === "added" ? "+" : "−"}</span>}
              <span className={marked && mark === "removed" ? "line-through" : ""}>{typeof v === "string" ? v : JSON.stringify(v)}</span>
              {marked && <span className="sr-only"> ({t(mark === "added" ? "audit.added" : "audit.removed")})</span>}
            </li>
          );
        })}
      </ul>
    );
  }
  return <pre dir="ltr" className="max-h-48 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 text-start font-mono text-xs dark:bg-slate-900">{JSON.stringify(value, null, 2)}</pre>;
}

const badge: Record<ChangeKind, string> = {
  added: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  removed: "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200",
  changed: "bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200",
  same: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
};

const tones = {
  before: "border-red-300 bg-red-50/50 dark:border-red-800 dark:bg-red-950/30",
  after: "border-emerald-300 bg-emerald-50/50 dark:border-emerald-800 dark:bg-emerald-950/30",
  none: "border-slate-200 bg-white/50 dark:border-slate-700 dark:bg-slate-800/40",
};

function Side({ label, children, tone }: { label: string; children: ReactNode; tone: keyof typeof tones }) {
  return (
    <div className={`min-w-0 rounded-md border-s-4 px-3 py-2 ${tones[tone]}`}>
      <div className="mb-1 text-xs font-medium text-slate-500 dark:text-slate-400">{label}</div>
      <div className="text-sm">{children}</div>
    </div>
  );
}

/** The before/after of every changed field of an audit row. */
export function ChangeDiff({ changes }: { changes: Record<string, AuditChange> }) {
  const { t } = useI18n();
  const fields = Object.keys(changes).sort();
  if (fields.length === 0) return <p className="text-sm text-slate-500 dark:text-slate-400">{t("audit.noChanges")}</p>;
  return (
    <ul className="space-y-3" aria-label={t("audit.changes")}>
      {fields.map((f) => {
        const c = changes[f];
        const kind = changeKind(c);
        const lists = Array.isArray(c.from) && Array.isArray(c.to) ? listDiff(c.from, c.to) : null;
        return (
          <li key={f} data-field={f} data-kind={kind} className="grid gap-2 md:grid-cols-[11rem_1fr_1fr] md:items-start">
            <div className="flex flex-wrap items-center gap-2 pt-2">
              <code dir="ltr" className="font-mono text-sm font-medium">{f}</code>
              <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${badge[kind]}`}>{t(`audit.kind.${kind}`)}</span>
            </div>
            <Side label={t("audit.before")} tone={kind === "changed" || kind === "removed" ? "before" : "none"}><Value value={c.from} marks={lists?.removed} mark="removed" /></Side>
            <Side label={t("audit.after")} tone={kind === "changed" || kind === "added" ? "after" : "none"}><Value value={c.to} marks={lists?.added} mark="added" /></Side>
          </li>
        );
      })}
    </ul>
  );
}
