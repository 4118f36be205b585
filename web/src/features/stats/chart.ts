import type { Locale } from "@/lib/i18n";
import { dateTimeFormat, numberFormat } from "@/lib/intl";

/**
 * A "nice" linear scale from 0: the top is the smallest round number
 * (1, 2, 2.5 or 5 × 10^k per step) at or above the data's maximum, cut
 * into `count` steps. Integer data (counts) never gets fractional steps.
 */
export function niceScale(max: number, count = 4, integer = false): { max: number; step: number; ticks: number[] } {
  if (!(max > 0) || !Number.isFinite(max)) max = integer ? count : 1;
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw - 1e-9 * raw) ?? 10 * mag;
  if (integer) step = Math.max(1, Math.ceil(step));
  const top = step * Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { max: top, step, ticks };
}

/**
 * Which of n days get an axis label: about one every `n / maxLabels` days,
 * always the first and the last, never two crowding each other at the end.
 */
export function labelIndexes(n: number, maxLabels: number): number[] {
  if (n <= 0) return [];
  if (n === 1) return [0];
  const want = Math.max(2, Math.min(n, Math.floor(maxLabels)));
  const every = Math.ceil((n - 1) / (want - 1));
  const out: number[] = [];
  for (let i = 0; i < n; i += every) out.push(i);
  const last = n - 1;
  if (out[out.length - 1] !== last) {
    if (last - out[out.length - 1] < every / 2) out.pop();
    out.push(last);
  }
  return out;
}

/**
 * The horizontal centre of day i of n in a plot `width` wide: time runs in
 * the reading direction, so in a right-to-left language the first day is
 * on the right.
 */
export function dayX(i: number, n: number, width: number, rtl: boolean): number {
  const x = ((i + 0.5) * width) / Math.max(n, 1);
  return rtl ? width - x : x;
}

const dayDate = (day: string) => {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, (m || 1) - 1, d || 1, 12));
};

const intlLocale = (l: Locale) => (l === "fa" ? "fa-IR-u-ca-persian" : "en-US");

/**
 * A calendar day of the API (YYYY-MM-DD, already cut in the server's time
 * zone) as the locale writes it: Jalali with Persian digits in fa,
 * Gregorian in en. It is formatted as that day, whatever the browser's zone.
 */
export function formatDay(locale: Locale, day: string, style: "axis" | "long" = "long"): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return day;
  const opts: Intl.DateTimeFormatOptions = style === "axis" ? { day: "numeric", month: "short" } : { dateStyle: "medium" };
  return dateTimeFormat(intlLocale(locale), { ...opts, timeZone: "UTC" }).format(dayDate(day));
}

/** A long number made short for an axis (1.2M, ۱٫۲ میلیون). */
export function compactNumber(locale: Locale, n: number): string {
  return numberFormat(intlLocale(locale), { notation: "compact", maximumFractionDigits: 1 }).format(n);
}

/** How a change against the previous period reads: direction and the percentage. */
export type ChangeView = { direction: "up" | "down" | "flat" | "none"; text: string };

/** change is a fraction (0.25 = +25%); null (nothing to compare with) reads "—". */
export function formatChange(locale: Locale, change: number | null | undefined): ChangeView {
  if (change === null || change === undefined || !Number.isFinite(change)) return { direction: "none", text: "—" };
  const pct = numberFormat(intlLocale(locale), {
    style: "percent",
    maximumFractionDigits: Math.abs(change) < 0.1 ? 1 : 0,
    signDisplay: "exceptZero",
  }).format(change);
  // a change that rounds to 0% is shown as flat, not as a red or green 0
  const rounded = Math.round(change * 1000);
  return { direction: rounded > 0 ? "up" : rounded < 0 ? "down" : "flat", text: pct };
}
