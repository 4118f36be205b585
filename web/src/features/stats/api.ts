import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";

export type Overview = Schemas["Overview"];
export type Figure = Schemas["Figure"];
export type MoneyFigure = Schemas["MoneyFigure"];
export type Money = Schemas["Money"];
export type SeriesPoint = Schemas["SeriesPoint"];

/** The dashboard's periods, in days, ending today; the server's default is 30d. */
export const ranges = ["7d", "30d", "90d", "365d"] as const;
export type Range = (typeof ranges)[number];
export const defaultRange: Range = "30d";

/** ?range= as kept in the URL; anything else is the default. */
export function rangeFromSearch(sp: URLSearchParams): Range {
  const r = sp.get("range");
  return ranges.includes(r as Range) ? (r as Range) : defaultRange;
}

export function rangeToSearch(r: Range): string {
  return r === defaultRange ? "" : new URLSearchParams({ range: r }).toString();
}

export const statsKeys = {
  all: ["stats"] as const,
  overview: (range: Range) => ["stats", "overview", range] as const,
};

export const overviewQuery = (range: Range) =>
  queryOptions({
    queryKey: statsKeys.overview(range),
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/stats/overview", { signal, params: { query: { range } } }))).data,
  });

export const useOverview = (range: Range) => useQuery(overviewQuery(range));

/**
 * The currencies the period has money in, with the one to show first: the
 * one with revenue on the most days (ties: alphabetical).
 */
export function currenciesOf(o: Pick<Overview, "kpis" | "series">): { list: string[]; preferred: string | undefined } {
  const days = new Map<string, number>();
  for (const m of o.kpis.revenue) days.set(m.currency, 0);
  for (const p of o.series) for (const m of p.revenue) days.set(m.currency, (days.get(m.currency) ?? 0) + (m.amount ? 1 : 0));
  const list = [...days.keys()].sort();
  const preferred = [...list].sort((a, b) => days.get(b)! - days.get(a)! || a.localeCompare(b))[0];
  return { list, preferred };
}

/** The amount in one currency of a list of money amounts (0 when it has none). */
export function amountIn(list: readonly Money[], currency: string | undefined): number {
  return list.find((m) => m.currency === currency)?.amount ?? 0;
}
