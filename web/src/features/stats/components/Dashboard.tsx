"use client";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { can, useMe } from "@/lib/me";
import { StatusBadge, statuses, useRecentOrders, type OrderStatus } from "@/features/orders";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { amountIn, currenciesOf, rangeFromSearch, ranges, rangeToSearch, useOverview, type Overview, type Range } from "../api";
import { formatDay } from "../chart";
import { KpiCard } from "./KpiCard";
import { SeriesChart } from "./SeriesChart";

const segment = "rounded-md px-3 py-1.5 text-sm font-medium transition focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 aria-pressed:bg-white aria-pressed:text-indigo-700 aria-pressed:shadow-sm dark:aria-pressed:bg-slate-700 dark:aria-pressed:text-indigo-200 text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white";

/** A row of mutually exclusive choices (range, currency). */
function Segmented<T extends string>({ label, value, options, onChange, name }: { label: string; value: T; options: readonly { value: T; label: string }[]; onChange: (v: T) => void; name: string }) {
  return (
    <div role="group" aria-label={label} data-testid={name} className="inline-flex rounded-lg bg-slate-100 p-1 dark:bg-slate-800">
      {options.map((o) => (
        <button key={o.value} type="button" aria-pressed={o.value === value} data-value={o.value} className={segment} onClick={() => onChange(o.value)}>{o.label}</button>
      ))}
    </div>
  );
}

/** The home screen: the period's KPIs against the previous period, a daily chart, orders by status, today and the newest orders. */
export function Dashboard() {
  const { t, locale, number, currencyName, moneyUnit } = useI18n();
  const router = useRouter();
  const pathname = usePathname();
  const sp = useSearchParams();
  const range = useMemo(() => rangeFromSearch(new URLSearchParams(sp.toString())), [sp]);
  const me = useMe();
  const overview = useOverview(range);
  const [picked, setPicked] = useState<string | undefined>();
  const currencies = useMemo(() => (overview.data ? currenciesOf(overview.data) : { list: [], preferred: undefined }), [overview.data]);
  const currency = picked && currencies.list.includes(picked) ? picked : currencies.preferred;

  const setRange = (r: Range) => {
    const qs = rangeToSearch(r);
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };
  const err = overview.error instanceof ApiError ? overview.error : null;
  const o = overview.data;

  return (
    <div className="space-y-4" data-testid="dashboard" data-range={range}>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold">{t("dashboard.title")}</h1>
          <div className="mt-1 text-sm text-slate-500 dark:text-slate-400" data-testid="period">
            {o ? t("dashboard.period", { from: formatDay(locale, o.from), to: formatDay(locale, o.to) }) : <Skeleton className="my-0.5 h-4 w-56" />}
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {currencies.list.length > 1 && currency && (
            <Segmented name="currency" label={t("dashboard.currency")} value={currency} onChange={setPicked} options={currencies.list.map((c) => ({ value: c, label: currencyName(c) }))} />
          )}
          <Segmented name="range" label={t("dashboard.range")} value={range} onChange={setRange} options={ranges.map((r) => ({ value: r, label: t(`dashboard.range.${r}`) }))} />
        </div>
      </div>

      {overview.isError && (
        <Card role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
          <p className="text-red-600 dark:text-red-400">{err?.status === 403 ? t("error.forbidden") : err?.code === "INTERNAL" ? t("error.generic", { id: err.requestId }) : t("dashboard.error")}</p>
          <Button variant="secondary" onClick={() => overview.refetch()}>{t("orders.retry")}</Button>
        </Card>
      )}

      {overview.isPending && <DashboardSkeleton />}

      {o && (
        <>
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4" aria-busy={overview.isFetching}>
            <KpiCard id="orders" label={t("dashboard.kpi.orders")} value={number(o.kpis.orders.value)} raw={o.kpis.orders.value} change={o.kpis.orders.change} previous={number(o.kpis.orders.previous)} />
            <MoneyKpi id="revenue" label={t("dashboard.kpi.revenue")} list={o.kpis.revenue} currency={currency} />
            <MoneyKpi id="aov" label={t("dashboard.kpi.aov")} list={o.kpis.average_order_value} currency={currency} />
            <KpiCard id="new_customers" label={t("dashboard.kpi.newCustomers")} value={number(o.kpis.new_customers.value)} raw={o.kpis.new_customers.value} change={o.kpis.new_customers.change} previous={number(o.kpis.new_customers.previous)} />
          </div>

          <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
            <Card className="min-w-0 lg:col-span-2">
              <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
                <h2 className="font-semibold">{t("dashboard.chart.title")}</h2>
                <ul className="flex flex-wrap items-center gap-4 text-xs text-slate-600 dark:text-slate-300" aria-label={t("dashboard.chart.legend")}>
                  <li className="flex items-center gap-1.5"><span aria-hidden className="size-2.5 rounded-sm bg-indigo-300 dark:bg-indigo-500/70" />{t("dashboard.chart.orders")}</li>
                  {currency && <li className="flex items-center gap-1.5"><span aria-hidden className="h-0.5 w-4 rounded bg-emerald-600 dark:bg-emerald-400" />{t("dashboard.chart.revenue", { currency: moneyUnit(currency) })}</li>}
                </ul>
              </div>
              <SeriesChart series={o.series} currency={currency} />
            </Card>
            <TodayCard o={o} currency={currency} />
          </div>

          <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
            <StatusBreakdown o={o} currency={currency} />
            {can(me.data, "orders.view") && <RecentOrders />}
          </div>
        </>
      )}
    </div>
  );
}

/** A money KPI in the chosen currency ("—" when the period has no money in it). */
function MoneyKpi({ id, label, list, currency }: { id: string; label: string; list: Overview["kpis"]["revenue"]; currency: string | undefined }) {
  const { money } = useI18n();
  const f = list.find((m) => m.currency === currency);
  return <KpiCard id={id} label={label} value={f ? money(f.value, f.currency) : "—"} raw={f?.value} change={f?.change} previous={f ? money(f.previous, f.currency) : "—"} />;
}

function DashboardSkeleton() {
  return (
    <div className="space-y-4" aria-busy data-testid="dashboard-loading">
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => <Card key={i} className="space-y-3"><Skeleton className="h-4 w-24" /><Skeleton className="h-8 w-32" /><Skeleton className="h-3 w-40" /></Card>)}
      </div>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <Card className="lg:col-span-2"><Skeleton className="h-72 w-full" /></Card>
        <Card className="space-y-3"><Skeleton className="h-5 w-24" /><Skeleton className="h-16 w-full" /><Skeleton className="h-16 w-full" /></Card>
      </div>
    </div>
  );
}

function TodayCard({ o, currency }: { o: Overview; currency: string | undefined }) {
  const { t, locale, number, money } = useI18n();
  const revenue = [...o.today.revenue].sort((a, b) => (a.currency === currency ? -1 : b.currency === currency ? 1 : a.currency.localeCompare(b.currency)));
  return (
    <Card data-testid="today" data-date={o.today.date}>
      <h2 className="font-semibold">{t("dashboard.today")}</h2>
      <p className="mb-4 text-xs text-slate-500 dark:text-slate-400">{formatDay(locale, o.today.date)}</p>
      <dl className="grid grid-cols-2 gap-4">
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">{t("dashboard.kpi.orders")}</dt>
          <dd className="text-2xl font-bold tabular-nums" data-testid="today-orders" data-value={o.today.orders}>{number(o.today.orders)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500 dark:text-slate-400">{t("dashboard.kpi.newCustomers")}</dt>
          <dd className="text-2xl font-bold tabular-nums" data-testid="today-customers" data-value={o.today.new_customers}>{number(o.today.new_customers)}</dd>
        </div>
        <div className="col-span-2">
          <dt className="text-xs text-slate-500 dark:text-slate-400">{t("dashboard.kpi.revenue")}</dt>
          <dd className="space-y-0.5" data-testid="today-revenue">
            {revenue.length === 0 ? <span className="text-lg font-semibold tabular-nums">{currency ? money(0, currency) : "—"}</span>
              : revenue.map((m) => <div key={m.currency} className="text-lg font-semibold tabular-nums" data-currency={m.currency}>{money(m.amount, m.currency)}</div>)}
          </dd>
        </div>
      </dl>
    </Card>
  );
}

function StatusBreakdown({ o, currency }: { o: Overview; currency: string | undefined }) {
  const { t, number, money } = useI18n();
  const total = o.by_status.reduce((s, f) => s + f.orders, 0);
  return (
    <Card data-testid="by-status">
      <h2 className="mb-3 font-semibold">{t("dashboard.byStatus")}</h2>
      {o.by_status.length === 0 ? <p className="text-sm text-slate-500 dark:text-slate-400">{t("dashboard.noOrders")}</p> : (
        <ul className="space-y-3">
          {o.by_status.map((f) => {
            const known = statuses.includes(f.status as OrderStatus);
            const share = total ? f.orders / total : 0;
            return (
              <li key={f.status} data-status-row={f.status} data-orders={f.orders}>
                <div className="flex items-center justify-between gap-2 text-sm">
                  {known ? <StatusBadge status={f.status as OrderStatus} /> : <span dir="ltr" className="rounded-full bg-slate-100 px-2.5 py-0.5 text-xs dark:bg-slate-700">{f.status}</span>}
                  <span className="flex items-baseline gap-2 tabular-nums">
                    <span className="font-semibold" data-testid="status-count">{number(f.orders)}</span>
                    {currency && <span className="whitespace-nowrap text-xs text-slate-500 dark:text-slate-400">{money(amountIn(f.amounts, currency), currency)}</span>}
                  </span>
                </div>
                <div className="mt-1.5 h-1.5 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-700" aria-hidden>
                  <div className="h-full rounded-full bg-indigo-400 dark:bg-indigo-400/80" style={{ width: `${(share * 100).toFixed(1)}%` }} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}

function RecentOrders() {
  const { t, money, dateTime } = useI18n();
  const recent = useRecentOrders(5);
  return (
    <Card className="lg:col-span-2" data-testid="recent-orders">
      <div className="mb-2 flex items-center justify-between gap-2">
        <h2 className="font-semibold">{t("dashboard.recent")}</h2>
        <Link prefetch={false} href="/orders" className="text-sm text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("dashboard.allOrders")}</Link>
      </div>
      {recent.isPending && <div className="space-y-3 py-2">{Array.from({ length: 5 }, (_, i) => <Skeleton key={i} className="h-8 w-full" />)}</div>}
      {recent.isError && <p role="alert" className="py-2 text-sm text-red-600 dark:text-red-400">{recent.error instanceof ApiError && recent.error.status === 403 ? t("error.forbidden") : t("orders.error")}</p>}
      {recent.isSuccess && recent.data.length === 0 && <p className="py-2 text-sm text-slate-500 dark:text-slate-400">{t("dashboard.noOrders")}</p>}
      {recent.isSuccess && recent.data.length > 0 && (
        <ul className="-mx-4 -mb-2 divide-y divide-slate-100 dark:divide-slate-700">
          {recent.data.map((r) => (
            <li key={r.id} data-recent-order={r.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2.5 text-sm">
              <Link prefetch={false} href={`/orders/detail?id=${r.id}`} dir="ltr" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">{r.number}</Link>
              <span className="min-w-24 flex-1 truncate" title={r.customer.name}>{r.customer.name}</span>
              <StatusBadge status={r.status} />
              <span className="whitespace-nowrap tabular-nums">{money(r.total, r.currency)}</span>
              <span className="w-full whitespace-nowrap text-xs text-slate-500 sm:w-auto dark:text-slate-400">{dateTime(r.created_at)}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
