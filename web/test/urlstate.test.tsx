import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useEffect } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { completeDay, useDraft, useUrlState, type UrlCodec } from "@/lib/urlState";
import { memoryNavigation } from "./nav";

const nav = vi.hoisted(() => ({ current: null as ReturnType<typeof memoryNavigation> | null }));
vi.mock("next/navigation", async () => {
  const { memoryNavigation } = await import("./nav");
  nav.current = memoryNavigation("/list");
  return nav.current.module;
});

type F = { page: number; status: string; from: string; q: string; sort: "-created_at" | "total" };
const codec: UrlCodec<F> = {
  parse: (sp) => ({
    page: /^\d+$/.test(sp.get("page") ?? "") ? Math.max(1, Number(sp.get("page"))) : 1,
    status: sp.get("status") ?? "",
    from: sp.get("from") ?? "",
    q: sp.get("q") ?? "",
    sort: sp.get("sort") === "total" ? "total" : "-created_at",
  }),
  serialize: (f) => {
    const sp = new URLSearchParams();
    if (f.page !== 1) sp.set("page", String(f.page));
    if (f.status) sp.set("status", f.status);
    if (f.from) sp.set("from", f.from);
    if (f.q) sp.set("q", f.q);
    if (f.sort !== "-created_at") sp.set("sort", f.sort);
    return sp.toString();
  },
};

const handle = {} as { url: ReturnType<typeof useUrlState<F>> };
function Screen() {
  const url = useUrlState(codec);
  useEffect(() => {
    handle.url = url;
  });
  const [q, setQ, flushQ] = useDraft(url.state.q, (v) => url.update({ q: v }));
  const [from, setFrom] = useDraft(url.state.from, (v) => url.update({ from: v }), { delay: 0, complete: completeDay });
  return (
    <form onSubmit={(e) => { e.preventDefault(); flushQ(); }}>
      <label>Search <input value={q} onChange={(e) => setQ(e.target.value)} /></label>
      <label>From <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
      <button type="submit">Apply</button>
      <output data-testid="state">{JSON.stringify(url.state)}</output>
    </form>
  );
}
const state = () => JSON.parse(screen.getByTestId("state").textContent!) as F;
const m = () => nav.current!;

describe("useUrlState keeps a list's state in the URL", () => {
  beforeEach(() => m().reset("/list"));

  it("reads typed values from the query, with defaults for what is missing or bad", () => {
    m().reset("/list?page=3&status=paid&sort=total&junk=1");
    render(<Screen />);
    expect(state()).toEqual({ page: 3, status: "paid", from: "", q: "", sort: "total" });
    m().reset("/list?page=x&sort=nope");
    render(<Screen />);
    expect(screen.getAllByTestId("state")[1].textContent).toBe(JSON.stringify({ page: 1, status: "", from: "", q: "", sort: "-created_at" }));
  });

  it("a filter replaces the history entry and goes back to page 1; paging pushes one", () => {
    m().reset("/list?page=4&sort=total");
    render(<Screen />);
    act(() => handle.url.update({ status: "shipped" }));
    expect(m().calls).toEqual([["replace", "/list?status=shipped&sort=total"]]);
    act(() => handle.url.setPage(2));
    expect(m().calls[1]).toEqual(["push", "/list?page=2&status=shipped&sort=total"]);
    expect(state()).toMatchObject({ page: 2, status: "shipped" });
  });

  it("two changes in a row both count, and reset drops every filter", () => {
    render(<Screen />);
    act(() => {
      handle.url.update({ status: "paid" });
      handle.url.update({ sort: "total" });
    });
    expect(m().url).toBe("/list?status=paid&sort=total");
    expect(handle.url.isFiltered()).toBe(true);
    expect(handle.url.isFiltered({ status: "", sort: "-created_at" })).toBe(false);
    act(() => handle.url.reset());
    expect(m().url).toBe("/list");
  });

  it("typing is applied once, after a pause; Enter applies at once", async () => {
    render(<Screen />);
    await userEvent.type(screen.getByLabelText("Search"), "ord");
    expect(m().calls).toEqual([]);
    await waitFor(() => expect(m().calls).toEqual([["replace", "/list?q=ord"]]));
    await userEvent.type(screen.getByLabelText("Search"), "-1{Enter}");
    expect(m().calls[1]).toEqual(["replace", "/list?q=ord-1"]);
    await new Promise((r) => setTimeout(r, 400));
    expect(m().calls).toHaveLength(2);
  });

  it("a date is applied only when complete, and what is typed stays in the field meanwhile", async () => {
    render(<Screen />);
    const from = screen.getByLabelText("From") as HTMLInputElement;
    // what a date input reports after the first digit of the year
    fireEvent.change(from, { target: { value: "0002-11-15" } });
    await new Promise((r) => setTimeout(r, 50));
    expect(m().calls).toEqual([]);
    expect(from.value).toBe("0002-11-15");
    fireEvent.change(from, { target: { value: "2026-11-15" } });
    await waitFor(() => expect(m().calls).toEqual([["replace", "/list?from=2026-11-15"]]));
    // Back (a new URL) replaces what is in the field
    act(() => m().module.useRouter().push("/list"));
    await waitFor(() => expect(from.value).toBe(""));
  });

  it("completeDay accepts only an empty value or a whole, real day", () => {
    expect(completeDay("")).toBe(true);
    expect(completeDay("2026-11-15")).toBe(true);
    expect(completeDay("0002-11-15")).toBe(false);
    expect(completeDay("0202-11-15")).toBe(false);
    expect(completeDay("2026-02-30")).toBe(false);
    expect(completeDay("2026-1-5")).toBe(false);
  });
});
