import { QueryClientProvider } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BulkReport, DataTable, useRowSelection, type SortState } from "@/components/ui/DataTable";
import { OrdersList } from "@/features/orders";
import { UsersList } from "@/features/users";
import { ApiError } from "@/lib/api/client";
import { runBulk, type BulkOutcome } from "@/lib/bulk";
import { I18nProvider } from "@/lib/i18n";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";
import { memoryNavigation } from "./nav";

const nav = vi.hoisted(() => ({ current: null as ReturnType<typeof memoryNavigation> | null }));
vi.mock("next/navigation", async () => {
  const { memoryNavigation } = await import("./nav");
  nav.current = memoryNavigation("/orders");
  return nav.current.module;
});

type Row = { id: number; name: string; total: number; created_at: string };
const rows: Row[] = [
  { id: 1, name: "one", total: 10, created_at: "2026-01-01" },
  { id: 2, name: "two", total: 20, created_at: "2026-01-02" },
  { id: 3, name: "three", total: 30, created_at: "2026-01-03" },
];
const col = createColumnHelper<Row>();
const columns = [
  col.accessor("name", { header: "Name" }),
  col.accessor("total", { id: "total", header: "Total" }),
  col.accessor("created_at", { id: "created_at", header: "Created" }),
];

function Table({ onSort, act }: { onSort?: (s: SortState) => void; act?: (row: Row) => Promise<unknown> }) {
  const selection = useRowSelection(rows, (r) => String(r.id));
  const [sort, setSort] = useState<SortState>({ id: "created_at", desc: true });
  const [report, setReport] = useState<BulkOutcome<Row> | null>(null);
  return (
    <I18nProvider>
      {report && <BulkReport outcome={report} name={(r) => r.name} explain={(e) => (e instanceof ApiError ? e.code : "?")} onDismiss={() => setReport(null)} />}
      <DataTable label="Things" data={rows} columns={columns} getRowId={(r) => String(r.id)} loading={false}
        sorting={{ columns: ["created_at", "total"], sort, onSort: (s) => { setSort(s); onSort?.(s); } }}
        selection={{
          rows: selection, rowName: (r) => r.name,
          actions: <button type="button" onClick={async () => { const out = await runBulk(selection.selectedRows, act!); selection.clear(); setReport(out); }}>Do it</button>,
        }}
        paging={{ mode: "page", page: 1, pages: 1, pageSize: 20, summary: "3 things", onPage: () => {}, onPageSize: () => {} }}
      />
    </I18nProvider>
  );
}

beforeEach(() => window.localStorage.setItem("pishkhan.locale", "en"));
afterEach(() => vi.unstubAllGlobals());

describe("DataTable", () => {
  it("sorts only the columns the API sorts, announcing the order with aria-sort", async () => {
    const onSort = vi.fn();
    render(<Table onSort={onSort} />);
    const header = (name: string) => screen.getByRole("columnheader", { name: new RegExp(name) });
    expect(header("Created").getAttribute("aria-sort")).toBe("descending");
    expect(header("Total").getAttribute("aria-sort")).toBe("none");
    expect(header("Name").hasAttribute("aria-sort")).toBe(false);
    expect(within(header("Name")).queryByRole("button")).toBeNull();

    await userEvent.click(within(header("Total")).getByRole("button"));
    expect(onSort).toHaveBeenLastCalledWith({ id: "total", desc: true });
    expect(header("Total").getAttribute("aria-sort")).toBe("descending");
    expect(header("Created").getAttribute("aria-sort")).toBe("none");
    await userEvent.click(within(header("Total")).getByRole("button"));
    expect(onSort).toHaveBeenLastCalledWith({ id: "total", desc: false });
    expect(header("Total").getAttribute("aria-sort")).toBe("ascending");
  });

  it("selects rows by checkbox and keyboard, the page at once, and shows the bulk bar while any is selected", async () => {
    render(<Table />);
    expect(screen.queryByTestId("bulk-bar")).toBeNull();
    const two = screen.getByRole("checkbox", { name: "Select two" });
    two.focus();
    await userEvent.keyboard(" ");
    expect(screen.getByTestId("selected-count").textContent).toBe("1 selected");
    const all = screen.getByRole("checkbox", { name: "Select all on this page" }) as HTMLInputElement;
    expect(all.indeterminate).toBe(true);
    await userEvent.click(all);
    expect(screen.getByTestId("selected-count").textContent).toBe("3 selected");
    expect(screen.getAllByRole("row").filter((r) => r.getAttribute("aria-selected") === "true")).toHaveLength(3);
    await userEvent.click(all);
    expect(screen.queryByTestId("bulk-bar")).toBeNull();
  });

  it("a bulk action runs on every selected row; one that fails is listed and the rest still run", async () => {
    const act = vi.fn(async (r: Row) => {
      if (r.id === 2) throw new ApiError(412, "PRECONDITION_FAILED", "stale");
    });
    render(<Table act={act} />);
    await userEvent.click(screen.getByRole("checkbox", { name: "Select all on this page" }));
    await userEvent.click(screen.getByRole("button", { name: "Do it" }));
    expect(act.mock.calls.map(([r]) => r.id)).toEqual([1, 2, 3]);
    const report = await screen.findByTestId("bulk-report");
    expect(within(report).getByTestId("bulk-done").textContent).toBe("2 of 3 done.");
    expect(within(report).getAllByTestId("bulk-failure").map((li) => li.textContent)).toEqual(["two: PRECONDITION_FAILED"]);
    expect(document.activeElement).toBe(report);
  });
});

function Paged({ pages, cursor }: { pages: number; cursor?: boolean }) {
  const [page, setPage] = useState(1);
  const [loading, setLoading] = useState(false);
  const go = (p: number) => {
    setLoading(true);
    setTimeout(() => { setPage(p); setLoading(false); }, 10);
  };
  const data = loading ? [] : rows.slice(page - 1, page);
  return (
    <I18nProvider>
      <DataTable label="Things" data={data} columns={columns} getRowId={(r) => String(r.id)} loading={loading}
        paging={cursor
          ? { mode: "cursor", hasPrev: page > 1, hasNext: page < pages, pageSize: 1, onPrev: () => go(page - 1), onNext: () => go(page + 1), onPageSize: () => {} }
          : { mode: "page", page, pages, pageSize: 1, summary: `${pages} things`, onPage: go, onPageSize: () => {} }} />
    </I18nProvider>
  );
}

describe("paging keeps focus where the user is", () => {
  it("on the pressed button while it still applies, on the table when it no longer does", async () => {
    render(<Paged pages={3} />);
    const next = screen.getByRole("button", { name: "Next" });
    await userEvent.click(next);
    await screen.findByText("two");
    expect(document.activeElement).toBe(next);
    expect(screen.getByRole("navigation", { name: "Pagination" }).textContent).toContain("Page 2 of 3");
    await userEvent.click(next);
    await screen.findByText("three");
    expect((next as HTMLButtonElement).disabled).toBe(true);
    expect(document.activeElement).toBe(screen.getByRole("region", { name: "Things" }));
  });

  it("cursor mode offers previous and next by what the server said", async () => {
    render(<Paged pages={2} cursor />);
    expect((screen.getByRole("button", { name: "Previous" }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    await screen.findByText("two");
    expect((screen.getByRole("button", { name: "Next" }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole("button", { name: "Previous" }) as HTMLButtonElement).disabled).toBe(false);
  });
});

type Answer = { status: number; body?: unknown; etag?: string };
function serve(route: (req: Request, path: string) => Answer | undefined) {
  const seen: { method: string; path: string; body: unknown; ifMatch: string | null }[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    const text = req.method === "GET" ? "" : await req.clone().text();
    seen.push({ method: req.method, path, body: text ? JSON.parse(text) : undefined, ifMatch: req.headers.get("If-Match") });
    const res = route(req, path) ?? { status: 404, body: { code: "NOT_FOUND", message: "no route" } };
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (res.etag) headers.ETag = res.etag;
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers });
  }));
  return seen;
}
const me = (permissions: string[]) => ({ id: 1, email: "admin@example.com", name: "Admin", is_superuser: false, roles: [], csrf_token: "c", totp_enabled: false, totp_setup_required: false, permissions });
const page = <T,>(items: T[]) => ({ items, page: 1, page_size: 20, total: items.length, total_pages: 1 });
const wrap = (ui: React.ReactNode) => render(
  <QueryClientProvider client={makeQueryClient()}><I18nProvider><ToastProvider>{ui}</ToastProvider></I18nProvider></QueryClientProvider>,
);

describe("orders: change the status of the selected orders", () => {
  const order = (id: number, status: string) => ({ id, number: `ORD-00000${id}`, status, customer: { id: 1, name: "C", email: "c@example.com", phone: "" }, items_count: 1,
    subtotal: 100, shipping: 0, total: 100, currency: "IRR", note: "", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" });
  const allowed: Record<number, string[]> = { 1: ["paid", "cancelled"], 2: [], 3: ["paid", "cancelled"] };

  it("asks first naming the count and status, sends one If-Match PUT per order it may move, and lists the refused ones", async () => {
    nav.current!.reset("/orders");
    const seen = serve((req, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["orders.view", "orders.update_status"]) };
      if (path === "/api/orders" && req.method === "GET") return { status: 200, body: page([order(1, "pending"), order(2, "delivered"), order(3, "pending")]) };
      const m = /^\/api\/orders\/(\d)(\/status)?$/.exec(path);
      if (m && req.method === "GET") return { status: 200, body: { ...order(Number(m[1]), m[1] === "2" ? "delivered" : "pending"), allowed_next: allowed[Number(m[1])] }, etag: `"v${m[1]}"` };
      if (m && req.method === "PUT" && m[1] === "1") return { status: 200, body: order(1, "paid") };
      if (m && req.method === "PUT" && m[1] === "3") return { status: 412, body: { code: "PRECONDITION_FAILED", message: "stale" } };
      return undefined;
    });
    wrap(<OrdersList />);
    await userEvent.click(await screen.findByRole("checkbox", { name: "Select all on this page" }));
    await userEvent.selectOptions(screen.getByTestId("bulk-status"), "paid");
    await userEvent.click(screen.getByTestId("bulk-apply"));
    const dialog = screen.getByRole("dialog", { name: "Change 3 orders to “Paid”?", hidden: true });
    expect(seen.filter((r) => r.method === "PUT")).toEqual([]);
    await userEvent.click(within(dialog).getByRole("button", { name: "Change status", hidden: true }));

    const report = await screen.findByTestId("bulk-report");
    expect(seen.filter((r) => r.method === "PUT")).toEqual([
      { method: "PUT", path: "/api/orders/1/status", body: { status: "paid" }, ifMatch: '"v1"' },
      { method: "PUT", path: "/api/orders/3/status", body: { status: "paid" }, ifMatch: '"v3"' },
    ]);
    expect(within(report).getByTestId("bulk-done").textContent).toBe("1 of 3 done.");
    expect(within(report).getAllByTestId("bulk-failure").map((li) => li.textContent)).toEqual([
      "ORD-000002: Cannot move from “Delivered” to “Paid”.",
      "ORD-000003: Changed meanwhile; reload and check it.",
    ]);
    expect(screen.queryByTestId("bulk-bar")).toBeNull();
  });

  it("offers no selection to who may not change statuses", async () => {
    nav.current!.reset("/orders");
    serve((req, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["orders.view"]) };
      if (path === "/api/orders") return { status: 200, body: page([order(1, "pending")]) };
      return undefined;
    });
    wrap(<OrdersList />);
    await screen.findByText("ORD-000001");
    expect(screen.queryByRole("checkbox")).toBeNull();
  });

  it("shows the rows with their checkboxes at once: orders that arrive before who the user is wait for it (no column added under them)", async () => {
    nav.current!.reset("/orders");
    let releaseMe = () => {};
    const meHeld = new Promise<void>((r) => (releaseMe = r));
    const ordersAnswered = vi.fn();
    vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/auth/me") await meHeld;
      if (path === "/api/orders") ordersAnswered();
      const body = path === "/api/auth/me" ? me(["orders.view", "orders.update_status"]) : page([order(1, "pending")]);
      return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    }));
    wrap(<OrdersList />);
    await waitFor(() => expect(ordersAnswered).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByText("ORD-000001")).toBeNull();
    expect(screen.getAllByTestId("skeleton-row").length).toBeGreaterThan(0);
    releaseMe();
    await screen.findByText("ORD-000001");
    expect(screen.getByRole("checkbox", { name: "Select ORD-000001" })).toBeTruthy();
    expect(screen.queryByTestId("skeleton-row")).toBeNull();
  });
});

describe("users: deactivate the selected users", () => {
  const user = (id: number, name: string) => ({ id, email: `${name.toLowerCase()}@example.com`, name, is_superuser: false, is_active: true, invited: false, totp_enabled: false,
    roles: [], created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" });

  it("confirms, deactivates each one, and says why one was refused", async () => {
    nav.current!.reset("/users");
    const seen = serve((req, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["users.view", "users.manage"]) };
      if (path === "/api/users" && req.method === "GET") return { status: 200, body: page([user(5, "Sara"), user(6, "Omid")]) };
      if (path === "/api/roles") return { status: 200, body: { items: [], page: 1, page_size: 100, total: 0, total_pages: 0 } };
      if (path === "/api/users/5" && req.method === "DELETE") return { status: 403, body: { code: "PERMISSION_DENIED", message: "nope", details: { reason: "outranked" } } };
      if (path === "/api/users/6" && req.method === "DELETE") return { status: 204 };
      return undefined;
    });
    wrap(<UsersList />);
    await userEvent.click(await screen.findByRole("checkbox", { name: "Select Sara" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select Omid" }));
    await userEvent.click(screen.getByTestId("bulk-deactivate"));
    const dialog = await waitFor(() => screen.getByRole("dialog", { name: "Deactivate 2 users?", hidden: true }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Deactivate", hidden: true }));
    const report = await screen.findByTestId("bulk-report");
    expect(seen.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual(["/api/users/5", "/api/users/6"]);
    expect(within(report).getByTestId("bulk-done").textContent).toBe("1 of 2 done.");
    expect(within(report).getByTestId("bulk-failure").textContent).toMatch(/^Sara: This user holds a role with permissions you don.t have/);
  });
});
