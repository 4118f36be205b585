"use client";
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import { minorDigits, useI18n } from "@/lib/i18n";
import { amountIn, type SeriesPoint } from "../api";
import { compactNumber, dayX, formatDay, labelIndexes, niceScale } from "../chart";

const HEIGHT = 260;
const TOP = 14;
const BOTTOM = 30;
/** Room for the orders axis (the reading start) and the revenue axis (the end). */
const START = 44;
const END = 64;

/**
 * Orders per day as bars and revenue in one currency as a line, over the
 * period. Drawn in the container's real pixels (so text is never
 * stretched); time runs in the reading direction (right to left in fa).
 * Every day has an accessible title; hovering, or the arrow keys once the
 * chart has focus, shows that day's figures.
 */
export function SeriesChart({ series, currency }: { series: SeriesPoint[]; currency: string | undefined }) {
  const { t, locale, dir, number, money } = useI18n();
  const rtl = dir === "rtl";
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [active, setActive] = useState<number | null>(null);
  const descId = useId();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    setWidth(el.clientWidth);
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const w = Math.max(width || 640, 280);
  const pw = w - START - END;
  const ph = HEIGHT - TOP - BOTTOM;
  // the plot's physical left edge: the orders axis is at the reading start
  const left = rtl ? END : START;
  const n = series.length;

  const data = useMemo(() => series.map((p) => ({ day: p.date, orders: p.orders, revenue: amountIn(p.revenue, currency) })), [series, currency]);
  const ordersScale = niceScale(Math.max(0, ...data.map((d) => d.orders)), 4, true);
  const revenueScale = niceScale(Math.max(0, ...data.map((d) => d.revenue)), 4);
  const yOrders = (v: number) => TOP + ph - (v / ordersScale.max) * ph;
  const yRevenue = (v: number) => TOP + ph - (v / revenueScale.max) * ph;
  const x = (i: number) => left + dayX(i, n, pw, rtl);
  const slot = pw / Math.max(n, 1);
  const barW = Math.max(1, Math.min(28, slot * (n > 60 ? 0.8 : 0.6)));
  const labels = labelIndexes(n, pw / 76);
  // text anchored at its physical right or left end, whatever the text's direction
  const anchorRight = rtl ? "start" : "end";
  const anchorLeft = rtl ? "end" : "start";
  const ordersAxisX = rtl ? left + pw + 8 : left - 8;
  const revenueAxisX = rtl ? left - 8 : left + pw + 8;
  const unit = currency ? 10 ** minorDigits(currency) : 1;

  const line = data.map((d, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${yRevenue(d.revenue).toFixed(1)}`).join("");
  const area = n ? `${line}L${x(n - 1).toFixed(1)},${TOP + ph}L${x(0).toFixed(1)},${TOP + ph}Z` : "";

  const pick = (e: PointerEvent<SVGSVGElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const px = ((e.clientX - rect.left) / rect.width) * w - left;
    if (px < 0 || px > pw || !n) return setActive(null);
    const i = Math.floor(px / slot);
    setActive(Math.min(n - 1, Math.max(0, rtl ? n - 1 - i : i)));
  };
  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    if (!n) return;
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1 }[e.key];
    if (step) setActive((a) => Math.min(n - 1, Math.max(0, (a ?? (step > 0 ? -1 : n)) + step)));
    else if (e.key === "Home") setActive(0);
    else if (e.key === "End") setActive(n - 1);
    else if (e.key === "Escape") setActive(null);
    else return;
    e.preventDefault();
  };

  const dayText = (d: (typeof data)[number]) =>
    `${formatDay(locale, d.day)}: ${t("dashboard.chart.ordersN", { n: d.orders })}${currency ? (locale === "fa" ? "، " : ", ") + money(d.revenue, currency) : ""}`;
  const a = active !== null && active < n ? data[active] : null;

  return (
    <div ref={box} className="relative w-full" data-testid="series-chart" data-days={n}>
      <p id={descId} className="sr-only">{t("dashboard.chart.keys")}</p>
      <svg width={w} height={HEIGHT} viewBox={`0 0 ${w} ${HEIGHT}`} role="group" aria-label={t("dashboard.chart.title")} aria-describedby={descId}
        tabIndex={0} onKeyDown={onKey} onPointerMove={pick} onPointerLeave={() => setActive(null)} onBlur={() => setActive(null)}
        style={{ direction: dir }} className="block max-w-full touch-pan-y select-none text-[11px] focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 rounded-md">
        {/* grid and the orders axis (reading start) */}
        {ordersScale.ticks.map((v) => (
          <g key={"o" + v}>
            <line x1={left} x2={left + pw} y1={yOrders(v)} y2={yOrders(v)} className={v ? "stroke-slate-200 dark:stroke-slate-700" : "stroke-slate-300 dark:stroke-slate-600"} strokeDasharray={v ? "3 3" : undefined} />
            <text x={ordersAxisX} y={yOrders(v)} dy="0.32em" textAnchor={rtl ? anchorLeft : anchorRight} className="fill-indigo-700 tabular-nums dark:fill-indigo-300">{number(v)}</text>
          </g>
        ))}
        {/* the revenue axis (reading end) */}
        {currency && revenueScale.ticks.map((v) => (
          <text key={"r" + v} x={revenueAxisX} y={yRevenue(v)} dy="0.32em" textAnchor={rtl ? anchorRight : anchorLeft} className="fill-emerald-700 tabular-nums dark:fill-emerald-300">
            {compactNumber(locale, v / unit)}
          </text>
        ))}
        {a && <rect x={x(active!) - slot / 2} y={TOP} width={slot} height={ph} className="fill-slate-200/60 dark:fill-slate-600/40" />}
        {data.map((d, i) => (
          <rect key={d.day} x={x(i) - barW / 2} y={yOrders(d.orders)} width={barW} height={Math.max(0, TOP + ph - yOrders(d.orders))} rx={barW > 6 ? 2 : 0}
            className={i === active ? "fill-indigo-600 dark:fill-indigo-400" : "fill-indigo-300 dark:fill-indigo-500/70"} />
        ))}
        {currency && n > 0 && (
          <>
            <path d={area} className="fill-emerald-500/10 dark:fill-emerald-400/10" />
            <path d={line} fill="none" strokeWidth={2} strokeLinejoin="round" strokeLinecap="round" className="stroke-emerald-600 dark:stroke-emerald-400" />
            {n <= 31 && data.map((d, i) => <circle key={d.day} cx={x(i)} cy={yRevenue(d.revenue)} r={i === active ? 4 : 2.5} className="fill-white stroke-emerald-600 dark:fill-slate-800 dark:stroke-emerald-400" strokeWidth={2} />)}
            {a && n > 31 && <circle cx={x(active!)} cy={yRevenue(a.revenue)} r={4} className="fill-white stroke-emerald-600 dark:fill-slate-800 dark:stroke-emerald-400" strokeWidth={2} />}
          </>
        )}
        {/* days along the reading direction */}
        {labels.map((i) => (
          <text key={"d" + i} x={x(i)} y={HEIGHT - 10} textAnchor="middle" className="fill-slate-500 dark:fill-slate-400" data-axis-day={data[i].day}>{formatDay(locale, data[i].day, "axis")}</text>
        ))}
        {/* one titled hit area per day, for pointers and screen readers */}
        {data.map((d, i) => (
          <rect key={"h" + d.day} x={x(i) - slot / 2} y={TOP} width={slot} height={ph} fill="transparent" data-day={d.day} data-orders={d.orders}>
            <title>{dayText(d)}</title>
          </rect>
        ))}
      </svg>
      {a && (
        <div role="status" data-testid="chart-tooltip"
          className="pointer-events-none absolute top-0 z-10 min-w-36 -translate-x-1/2 rounded-lg border border-slate-200 bg-white/95 px-3 py-2 text-xs shadow-lg dark:border-slate-600 dark:bg-slate-900/95"
          style={{ left: Math.min(w - 80, Math.max(80, x(active!))) }}>
          <div className="mb-1 font-semibold">{formatDay(locale, a.day)}</div>
          <div className="flex items-center justify-between gap-3"><span className="flex items-center gap-1.5"><span aria-hidden className="size-2 rounded-sm bg-indigo-400" />{t("dashboard.kpi.orders")}</span><span className="tabular-nums">{number(a.orders)}</span></div>
          {currency && <div className="flex items-center justify-between gap-3"><span className="flex items-center gap-1.5"><span aria-hidden className="h-0.5 w-2.5 bg-emerald-500" />{t("dashboard.kpi.revenue")}</span><span className="tabular-nums whitespace-nowrap">{money(a.revenue, currency)}</span></div>}
        </div>
      )}
    </div>
  );
}
