"use client";
import type { ReactNode } from "react";
import { useI18n } from "@/lib/i18n";
import { Card } from "@/components/ui/Card";
import { formatChange } from "../chart";

const tone = {
  up: "text-emerald-700 dark:text-emerald-400",
  down: "text-red-600 dark:text-red-400",
  flat: "text-slate-500 dark:text-slate-400",
  none: "text-slate-500 dark:text-slate-400",
} as const;

/**
 * One headline figure of the period with its change against the previous
 * period of the same length: a green arrow up, a red arrow down, "—" when
 * there is nothing to compare with.
 */
export function KpiCard({ id, label, value, raw, change, previous }: { id: string; label: string; value: ReactNode; raw?: number; change: number | null | undefined; previous: ReactNode }) {
  const { t, locale } = useI18n();
  const c = formatChange(locale, change);
  const words = c.direction === "up" ? t("dashboard.change.up") : c.direction === "down" ? t("dashboard.change.down") : c.direction === "flat" ? t("dashboard.change.flat") : t("dashboard.change.none");
  return (
    <Card className="flex flex-col gap-1" data-kpi={id} data-value={raw} data-direction={c.direction}>
      <h2 className="text-sm font-medium text-slate-500 dark:text-slate-400">{label}</h2>
      <p className={`${size(value)} font-bold leading-tight tabular-nums [overflow-wrap:anywhere]`} data-testid="kpi-value">{value}</p>
      <p className="flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs">
        <span className={`inline-flex items-center gap-1 font-semibold ${tone[c.direction]}`} data-testid="kpi-change">
          {c.direction === "up" && <Arrow up />}
          {c.direction === "down" && <Arrow />}
          <span dir="ltr">{c.text}</span>
          <span className="sr-only">{words}</span>
        </span>
        <span className="text-slate-500 dark:text-slate-400">{t("dashboard.previous")} <span className="tabular-nums">{previous}</span></span>
      </p>
    </Card>
  );
}

/** Long figures (big sums in rials) get a smaller type, so they fit a quarter of the row whole. */
const size = (v: ReactNode) => {
  const n = typeof v === "string" ? v.length : 0;
  return n > 16 ? "text-lg" : n > 12 ? "text-xl" : "text-2xl";
};

function Arrow({ up = false }: { up?: boolean }) {
  return (
    <svg viewBox="0 0 12 12" className="size-3" aria-hidden fill="currentColor">
      <path d={up ? "M6 1.5 11 8H8v2.5H4V8H1z" : "M6 10.5 1 4h3V1.5h4V4h3z"} />
    </svg>
  );
}
