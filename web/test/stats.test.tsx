import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { amountIn, currenciesOf, rangeFromSearch, rangeToSearch, type Overview } from "@/features/stats/api";
import { compactNumber, dayX, formatChange, formatDay, labelIndexes, niceScale } from "@/features/stats/chart";
import { Dashboard } from "@/features/stats/components/Dashboard";
import { Home } from "@/features/stats/components/Home";
import userEvent from "@testing-library/user-event";
import { KpiCard } from "@/features/stats/components/KpiCard";
import { SeriesChart } from "@/features/stats/components/SeriesChart";
import { onResourceEvent } from "@/lib/events";
import { I18nProvider } from "@/lib/i18n";
import { makeQueryClient } from "@/lib/query";

const replace = vi.fn();
let search = "";
vi.mock("next/navigation", () => ({
  useRouter: () => ({ push: vi.fn(), replace }),
  usePathname: () => "/",
  useSearchParams: () => new URLSearchParams(search),
}));

function wrap(ui: React.ReactNode, locale: "en" | "fa" = "en") {
  window.localStorage.setItem("pishkhan.locale", locale);
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <I18nProvider>{ui}</I18nProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  replace.mockReset();
  search = "";
});

describe("the chart's scale", () => {
  it("rounds the top up to a nice number cut into equal steps", () => {
    expect(niceScale(7, 4, true)).toEqual({ max: 8, step: 2, ticks: [0, 2, 4, 6, 8] });
    expect(niceScale(100, 4)).toEqual({ max: 100, step: 25, ticks: [0, 25, 50, 75, 100] });
    const big = niceScale(123_456_789, 4);
    expect(big.max).toBeGreaterThanOrEqual(123_456_789);
    expect(big.step).toBe(50_000_000);
    expect(big.ticks).toEqual([0, 50_000_000, 100_000_000, 150_000_000]);
  });

  it("never gives counts fractional steps, and copes with an empty period", () => {
    expect(niceScale(1, 4, true)).toEqual({ max: 1, step: 1, ticks: [0, 1] });
    expect(niceScale(3, 4, true).ticks.every(Number.isInteger)).toBe(true);
    expect(niceScale(0, 4, true)).toEqual({ max: 4, step: 1, ticks: [0, 1, 2, 3, 4] });
    expect(niceScale(0, 4).max).toBe(1);
    expect(niceScale(Number.NaN, 4).max).toBe(1);
  });

  it("labels the first and last day and spaces the rest evenly", () => {
    expect(labelIndexes(0, 5)).toEqual([]);
    expect(labelIndexes(1, 5)).toEqual([0]);
    expect(labelIndexes(7, 10)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const l = labelIndexes(30, 6);
    expect(l[0]).toBe(0);
    expect(l[l.length - 1]).toBe(29);
    expect(l.length).toBeLessThanOrEqual(6);
    const gaps = l.slice(1).map((v, i) => v - l[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(Math.max(...gaps) / 2);
    expect(labelIndexes(365, 8).length).toBeLessThanOrEqual(8);
  });

  it("runs time in the reading direction: right to left in an RTL language", () => {
    expect(dayX(0, 10, 100, false)).toBe(5);
    expect(dayX(9, 10, 100, false)).toBe(95);
    expect(dayX(0, 10, 100, true)).toBe(95);
    expect(dayX(9, 10, 100, true)).toBe(5);
  });
});

describe("the dashboard's words and numbers", () => {
  it("formats a change as a signed percentage with its direction, and — when there is nothing to compare", () => {
    expect(formatChange("en", 0.25)).toEqual({ direction: "up", text: "+25%" });
    expect(formatChange("en", -0.1)).toEqual({ direction: "down", text: "-10%" });
    expect(formatChange("en", 0.034)).toEqual({ direction: "up", text: "+3.4%" });
    expect(formatChange("en", 0)).toEqual({ direction: "flat", text: "0%" });
    expect(formatChange("en", 0.0001).direction).toBe("flat");
    expect(formatChange("en", null)).toEqual({ direction: "none", text: "—" });
    const fa = formatChange("fa", 0.25);
    expect(fa.direction).toBe("up");
    expect(fa.text).toMatch(/۲۵/);
    expect(fa.text).toMatch(/٪/);
  });

  it("writes an API day as that day: Jalali with Persian digits in fa, Gregorian in en", () => {
    expect(formatDay("en", "2026-11-28")).toBe("Nov 28, 2026");
    expect(formatDay("en", "2026-11-28", "axis")).toBe("Nov 28");
    expect(formatDay("fa", "2026-11-28", "axis")).toBe("۷ آذر");
    expect(formatDay("fa", "2026-11-28")).toMatch(/۱۴۰۵/);
    expect(formatDay("en", "not a day")).toBe("not a day");
    expect(compactNumber("en", 1_250_000)).toBe("1.3M");
    expect(compactNumber("fa", 1_250_000)).toMatch(/۱٫۳/);
  });

  it("keeps the range in the URL, the default left out", () => {
    expect(rangeFromSearch(new URLSearchParams("range=7d"))).toBe("7d");
    expect(rangeFromSearch(new URLSearchParams("range=1y"))).toBe("30d");
    expect(rangeFromSearch(new URLSearchParams(""))).toBe("30d");
    expect(rangeToSearch("365d")).toBe("range=365d");
    expect(rangeToSearch("30d")).toBe("");
  });

  it("offers every currency with money, preferring the one with revenue on most days", () => {
    const o = {
      kpis: { revenue: [{ currency: "EUR", value: 1, previous: 0, change: null }, { currency: "IRR", value: 9, previous: 0, change: null }] },
      series: [
        { date: "2026-11-27", orders: 1, new_customers: 0, revenue: [{ currency: "IRR", amount: 5 }] },
        { date: "2026-11-28", orders: 2, new_customers: 0, revenue: [{ currency: "EUR", amount: 1 }, { currency: "IRR", amount: 4 }] },
      ],
    } as unknown as Overview;
    expect(currenciesOf(o)).toEqual({ list: ["EUR", "IRR"], preferred: "IRR" });
    expect(currenciesOf({ kpis: { revenue: [] }, series: [] } as unknown as Overview)).toEqual({ list: [], preferred: undefined });
    expect(amountIn([{ currency: "IRR", amount: 5 }], "IRR")).toBe(5);
    expect(amountIn([{ currency: "IRR", amount: 5 }], "USD")).toBe(0);
  });
});

describe("a KPI card", () => {
  it("shows a green arrow up, a red arrow down, and a dash without a previous figure, in words too", () => {
    wrap(
      <>
        <KpiCard id="up" label="Orders" value="12" change={0.5} previous="8" />
        <KpiCard id="down" label="Revenue" value="$1.00" change={-0.25} previous="$1.33" />
        <KpiCard id="none" label="New customers" value="3" change={null} previous="0" />
      </>,
    );
    const card = (id: string) => document.querySelector(`[data-kpi="${id}"]`) as HTMLElement;
    expect(card("up").dataset.direction).toBe("up");
    expect(within(card("up")).getByTestId("kpi-change").className).toMatch(/emerald/);
    expect(within(card("up")).getByTestId("kpi-change").textContent).toBe("+50%up from the previous period");
    expect(within(card("up")).getByTestId("kpi-change").querySelector("svg")).toBeTruthy();
    expect(within(card("down")).getByTestId("kpi-change").className).toMatch(/red/);
    expect(within(card("down")).getByText("-25%")).toBeTruthy();
    expect(within(card("none")).getByTestId("kpi-change").querySelector("svg")).toBeNull();
    expect(within(card("none")).getByText("—")).toBeTruthy();
    expect(within(card("none")).getByText("nothing to compare with in the previous period")).toBeTruthy();
  });
});

const series = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ date: `2026-11-${String(i + 1).padStart(2, "0")}`, orders: i, new_customers: 0, revenue: i ? [{ currency: "USD", amount: i * 1000 }] : [] }));

describe("the daily chart", () => {
  it("has a bar and a titled day for every day, the first day on the start side of the reading direction", () => {
    wrap(<SeriesChart series={series(10)} currency="USD" />);
    const days = document.querySelectorAll("rect[data-day]");
    expect(days.length).toBe(10);
    expect(days[3].querySelector("title")?.textContent).toBe("Nov 4, 2026: 3 orders, $30.00");
    const x = (d: string) => Number(document.querySelector(`rect[data-day="${d}"]`)!.getAttribute("x"));
    expect(x("2026-11-01")).toBeLessThan(x("2026-11-10"));
    expect(document.querySelector("path[d^='M']")).toBeTruthy();
  });

  it("in fa runs right to left with Jalali day labels in Persian digits", () => {
    wrap(<SeriesChart series={series(10)} currency="USD" />, "fa");
    const x = (d: string) => Number(document.querySelector(`rect[data-day="${d}"]`)!.getAttribute("x"));
    expect(x("2026-11-01")).toBeGreaterThan(x("2026-11-10"));
    const labels = [...document.querySelectorAll("[data-axis-day]")].map((e) => e.textContent);
    expect(labels[0]).toBe("۱۰ آبان");
    expect(document.querySelector("rect[data-day='2026-11-04'] title")?.textContent).toMatch(/^۱۳ آبان ۱۴۰۵: ۳ سفارش، /);
  });

  it("shows one day's figures with the arrow keys, forward in time whatever the direction", async () => {
    wrap(<SeriesChart series={series(5)} currency="USD" />, "fa");
    const svg = screen.getByRole("group", { name: "سفارش‌ها و درآمد روزانه" });
    svg.focus();
    const key = (k: string) => svg.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    key("Home");
    await waitFor(() => expect(screen.getByTestId("chart-tooltip").textContent).toMatch(/۱۰ آبان/));
    key("ArrowLeft"); // in RTL, left is later
    await waitFor(() => expect(screen.getByTestId("chart-tooltip").textContent).toMatch(/۱۱ آبان/));
  });
});

const overview: Overview = {
  range: "7d", time_zone: "UTC", from: "2026-11-22", to: "2026-11-28",
  today: { date: "2026-11-28", orders: 4, new_customers: 2, revenue: [{ currency: "IRR", amount: 5_000_000 }] },
  kpis: {
    orders: { value: 21, previous: 14, change: 0.5 },
    new_customers: { value: 6, previous: 0, change: null },
    revenue: [{ currency: "IRR", value: 90_000_000, previous: 100_000_000, change: -0.1 }],
    average_order_value: [{ currency: "IRR", value: 4_285_714, previous: 7_142_857, change: -0.4 }],
  },
  by_status: [{ status: "pending", orders: 5, amounts: [{ currency: "IRR", amount: 1_000 }] }, { status: "delivered", orders: 16, amounts: [{ currency: "IRR", amount: 90_000_000 }] }],
  series: series(7).map((p) => ({ ...p, revenue: p.revenue.map((m) => ({ ...m, currency: "IRR" })) })),
};

describe("the dashboard", () => {
  it("asks for the URL's range and shows KPIs, today and orders by status", async () => {
    search = "range=7d";
    const asked: string[] = [];
    vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      asked.push(url.pathname + url.search);
      const body = url.pathname === "/api/auth/me" ? { id: 1, email: "a@example.com", name: "A", is_superuser: false, roles: [], permissions: ["stats.view"], csrf_token: "c", totp_enabled: false, totp_setup_required: false } : overview;
      return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    }));
    wrap(<Dashboard />);
    expect(screen.getByTestId("dashboard-loading")).toBeTruthy();
    await waitFor(() => expect(document.querySelector('[data-kpi="orders"]')).toBeTruthy());
    expect(asked).toContain("/api/stats/overview?range=7d");
    expect(within(document.querySelector('[data-kpi="orders"]') as HTMLElement).getByTestId("kpi-value").textContent).toBe("21");
    expect(within(document.querySelector('[data-kpi="revenue"]') as HTMLElement).getByTestId("kpi-value").textContent).toMatch(/90,000,000/);
    expect(document.querySelector('[data-kpi="new_customers"]')!.getAttribute("data-direction")).toBe("none");
    expect(screen.getByTestId("today-orders").textContent).toBe("4");
    expect([...document.querySelectorAll("[data-status-row] [data-status]")].map((e) => e.getAttribute("data-status"))).toEqual(["pending", "delivered"]);
    // no orders.view: no recent orders (and no request for them)
    expect(screen.queryByTestId("recent-orders")).toBeNull();
    expect(asked.some((a) => a.startsWith("/api/orders"))).toBe(false);
    // the range buttons change the URL
    screen.getByRole("button", { name: "90 days" }).click();
    expect(replace).toHaveBeenCalledWith("/?range=90d", { scroll: false });
    expect(screen.getByRole("button", { name: "7 days" }).getAttribute("aria-pressed")).toBe("true");
  });

  it("says so when the statistics cannot be loaded, with a way to try again", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ code: "INTERNAL", message: "x", request_id: "req-9" }), { status: 500, headers: { "Content-Type": "application/json" } })));
    wrap(<Dashboard />);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/req-9/), { timeout: 5000 });
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });
});

describe("home", () => {
  it("says the server cannot be reached on a first load, and Retry brings the dashboard", async () => {
    let up = false;
    vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
      if (!up) throw new TypeError("Failed to fetch");
      const url = new URL(req.url);
      const body = url.pathname === "/api/auth/me" ? { id: 1, email: "a@example.com", name: "A", is_superuser: false, roles: [], permissions: ["stats.view"], csrf_token: "c", totp_enabled: false, totp_setup_required: false } : overview;
      return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    }));
    wrap(<Home />);
    const alert = await screen.findByRole("alert", {}, { timeout: 5000 });
    expect(alert.textContent).toContain("Could not reach the server.");
    up = true;
    await userEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(document.querySelector('[data-kpi="orders"]')).toBeTruthy());
    expect(screen.queryByTestId("home-error")).toBeNull();
  });
});

function Probe({ qk, fn }: { qk: readonly unknown[]; fn: () => Promise<number> }) {
  useQuery({ queryKey: qk, queryFn: fn });
  return null;
}

describe("live events", () => {
  it("an order event refreshes the orders and the statistics; a jobs event only the jobs", async () => {
    const client = makeQueryClient();
    const c = { orders: { n: 0 }, stats: { n: 0 }, jobs: { n: 0 } };
    render(
      <QueryClientProvider client={client}>
        <Probe qk={["orders", "list", {}]} fn={async () => ++c.orders.n} />
        <Probe qk={["stats", "overview", "30d"]} fn={async () => ++c.stats.n} />
        <Probe qk={["jobs", "list", {}]} fn={async () => ++c.jobs.n} />
      </QueryClientProvider>,
    );
    await waitFor(() => expect([c.orders.n, c.stats.n, c.jobs.n]).toEqual([1, 1, 1]));
    await onResourceEvent(client, "orders");
    expect([c.orders.n, c.stats.n, c.jobs.n]).toEqual([2, 2, 1]);
    await onResourceEvent(client, "stats");
    expect([c.orders.n, c.stats.n, c.jobs.n]).toEqual([2, 3, 1]);
    await onResourceEvent(client, "jobs");
    expect([c.orders.n, c.stats.n, c.jobs.n]).toEqual([2, 3, 2]);
    await onResourceEvent(client, "unknown");
    expect([c.orders.n, c.stats.n, c.jobs.n]).toEqual([2, 3, 2]);
  });
});
