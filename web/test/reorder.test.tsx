import { QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ProjectsList } from "@/features/projects";
import { applyOrder, keyMove, moveItem, moveWithin } from "@/features/projects/reorder";
import { I18nProvider } from "@/lib/i18n";
import { en } from "@/lib/messages.en";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";
import { memoryNavigation } from "./nav";

const nav = vi.hoisted(() => ({ current: null as ReturnType<typeof memoryNavigation> | null }));
vi.mock("next/navigation", async () => {
  const { memoryNavigation } = await import("./nav");
  nav.current = memoryNavigation("/projects");
  return nav.current.module;
});

afterEach(() => vi.unstubAllGlobals());

describe("reordering, as pure moves", () => {
  it("moves one item and keeps the rest in order, clamped to the list", () => {
    expect(moveItem(["a", "b", "c", "d"], 0, 2)).toEqual(["b", "c", "a", "d"]);
    expect(moveItem(["a", "b", "c", "d"], 3, 0)).toEqual(["d", "a", "b", "c"]);
    expect(moveItem(["a", "b", "c"], 1, 99)).toEqual(["a", "c", "b"]);
    expect(moveItem(["a", "b", "c"], 5, 0)).toEqual(["a", "b", "c"]);
    const list = ["a", "b"];
    moveItem(list, 0, 1);
    expect(list).toEqual(["a", "b"]); // never in place
  });

  it("turns keys on a grab handle into moves, and nothing past either end", () => {
    expect(keyMove("ArrowUp", 2, 5)).toBe(1);
    expect(keyMove("ArrowDown", 2, 5)).toBe(3);
    expect(keyMove("Home", 2, 5)).toBe(0);
    expect(keyMove("End", 2, 5)).toBe(4);
    expect(keyMove("ArrowUp", 0, 5)).toBeNull();
    expect(keyMove("ArrowDown", 4, 5)).toBeNull();
    expect(keyMove("End", 4, 5)).toBeNull();
    expect(keyMove("Enter", 2, 5)).toBeNull();
  });

  it("with a filter on, moves among the shown items and leaves the hidden ones where they were", () => {
    const full = [1, 2, 3, 4, 5, 6];
    const shown = [2, 4, 6];
    // 6 up to the top of the shown: lands just before 2; 1, 3 and 5 keep their places relative to the rest
    expect(moveWithin(full, shown, 6, 0)).toEqual([1, 6, 2, 3, 4, 5]);
    // 2 down one: lands just after 4
    expect(moveWithin(full, shown, 2, 1)).toEqual([1, 3, 4, 2, 5, 6]);
    // unfiltered it is a plain move
    expect(moveWithin(full, full, 1, 5)).toEqual([2, 3, 4, 5, 6, 1]);
    // every id exactly once, whatever the move
    for (const id of shown) for (let to = 0; to < shown.length; to++) expect([...moveWithin(full, shown, id, to)].sort()).toEqual(full);
    // not shown or going nowhere: unchanged
    expect(moveWithin(full, shown, 3, 0)).toEqual(full);
    expect(moveWithin(full, shown, 4, 1)).toEqual(full);
  });

  it("orders items by ids, unknown ones last", () => {
    expect(applyOrder([{ id: 1 }, { id: 2 }, { id: 3 }], [3, 1], (x) => x.id).map((x) => x.id)).toEqual([3, 1, 2]);
  });
});

type Answer = { status: number; body?: unknown };
function serve(route: (req: Request, path: string, body: unknown) => Answer | Promise<Answer> | undefined) {
  const seen: { method: string; path: string; body: unknown }[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    const text = req.method === "GET" ? "" : await req.clone().text();
    const body = text ? JSON.parse(text) : undefined;
    seen.push({ method: req.method, path, body });
    const res = (await route(req, path, body)) ?? { status: 404, body: { code: "NOT_FOUND", message: "no route" } };
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers: { "Content-Type": "application/json" } });
  }));
  return seen;
}
const me = (permissions: string[]) => ({ id: 1, email: "admin@example.com", name: "Admin", is_superuser: false, roles: [], csrf_token: "c", totp_enabled: false, totp_setup_required: false, permissions });
const project = (id: number, title: string, position: number) => ({
  id, title, slug: title.toLowerCase(), lang: "en", client: "", started_on: null, ended_on: null, summary: "", body_md: "", body_html: "", cover_media_id: null,
  gallery: [], tags: [], links: [], featured: false, status: "published", position, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z",
});
const wrap = (ui: React.ReactNode) => {
  window.localStorage.setItem("pishkhan.locale", "en");
  return render(<QueryClientProvider client={makeQueryClient()}><I18nProvider><ToastProvider>{ui}</ToastProvider></I18nProvider></QueryClientProvider>);
};
const shownOrder = () => [...screen.getByTestId("projects").querySelectorAll("[data-project-id]")].map((e) => Number(e.getAttribute("data-project-id")));
const handleOf = (title: string) => screen.getByRole("button", { name: new RegExp(`^Move ${title}, position`) });

/** A PUT whose answer the test releases. */
function held() {
  let release!: (a: Answer) => void;
  const answer = new Promise<Answer>((r) => (release = r));
  return { answer, release };
}

describe("the portfolio's manual order", { timeout: 20_000 }, () => { // the machine's cores are shared: rendering and typing can take seconds
  it("moves a project with the arrow keys on its handle: at once on screen, announced, focus kept, the full order saved", async () => {
    nav.current!.reset("/projects");
    let order = [1, 2, 3];
    const titles: Record<number, string> = { 1: "Alpha", 2: "Beta", 3: "Gamma" };
    const seen = serve((req, path, body) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["content.view", "content.edit"]) };
      if (path === "/api/projects" && req.method === "GET") return { status: 200, body: { items: order.map((id, i) => project(id, titles[id], i + 1)), page: 1, page_size: 100, total: 3, total_pages: 1 } };
      if (path === "/api/projects/order" && req.method === "PUT") {
        order = (body as { ids: number[] }).ids;
        return { status: 204 };
      }
      return undefined;
    });
    wrap(<ProjectsList />);
    await waitFor(() => expect(shownOrder()).toEqual([1, 2, 3]));
    await waitFor(() => expect((handleOf("Alpha") as HTMLButtonElement).disabled).toBe(false));

    handleOf("Alpha").focus();
    await userEvent.keyboard("{ArrowDown}");
    expect(shownOrder()).toEqual([2, 1, 3]);
    expect(screen.getByTestId("projects-announce").textContent).toBe("Moved Alpha to position 2 of 3.");
    await waitFor(() => expect(seen.filter((s) => s.method === "PUT")).toEqual([{ method: "PUT", path: "/api/projects/order", body: { ids: [2, 1, 3] } }]));
    expect(document.activeElement).toBe(handleOf("Alpha"));
    expect(handleOf("Alpha").getAttribute("aria-label")).toBe("Move Alpha, position 2 of 3");

    // End takes it to the bottom; the list read again afterwards agrees
    await userEvent.keyboard("{End}");
    await waitFor(() => expect(seen.filter((s) => s.method === "PUT").at(-1)?.body).toEqual({ ids: [2, 3, 1] }));
    await waitFor(() => expect(shownOrder()).toEqual([2, 3, 1]));
    expect(document.activeElement).toBe(handleOf("Alpha"));

    // the move buttons do the same; the one for "up" keeps focus while it can
    await userEvent.click(within(screen.getByTestId("projects")).getByRole("button", { name: "Move Gamma up" }));
    await waitFor(() => expect(seen.filter((s) => s.method === "PUT").at(-1)?.body).toEqual({ ids: [3, 2, 1] }));
    expect(document.activeElement).toBe(handleOf("Gamma")); // at the top "up" is disabled: the handle takes focus
  });

  it("puts the old order back when the server refuses, and says why", async () => {
    nav.current!.reset("/projects");
    const put = held();
    // the list read again after the refusal never answers: only the rollback can bring the old order back
    const reread = held();
    let puts = 0;
    const seen = serve((req, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["content.view", "content.edit"]) };
      if (path === "/api/projects" && req.method === "GET") return puts ? reread.answer : { status: 200, body: { items: [project(1, "Alpha", 1), project(2, "Beta", 2), project(3, "Gamma", 3)], page: 1, page_size: 100, total: 3, total_pages: 1 } };
      if (path === "/api/projects/order") {
        puts++;
        return put.answer;
      }
      return undefined;
    });
    wrap(<ProjectsList />);
    await waitFor(() => expect(shownOrder()).toEqual([1, 2, 3]));
    await waitFor(() => expect((handleOf("Gamma") as HTMLButtonElement).disabled).toBe(false));

    fireEvent.keyDown(handleOf("Gamma"), { key: "Home" });
    // optimistic: the new order shows while the server has not answered (the PUT is held)
    await waitFor(() => expect(shownOrder()).toEqual([3, 1, 2]));
    await waitFor(() => expect(seen.some((s) => s.method === "PUT")).toBe(true));
    expect(screen.queryByTestId("projects-error")).toBeNull();

    put.release({ status: 422, body: { status: "error", code: "VALIDATION_FAILED", message: "ids must list every project once", details: { fields: { ids: "must list every project once" } }, request_id: "r" } });
    await waitFor(() => expect(shownOrder()).toEqual([1, 2, 3]));
    expect((await screen.findByTestId("projects-error")).textContent).toBe(en["projects.err.orderStale"]);
  });

  it("offers no moving to a user who may only view", async () => {
    nav.current!.reset("/projects");
    serve((req, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["content.view"]) };
      if (path === "/api/projects") return { status: 200, body: { items: [project(1, "Alpha", 1), project(2, "Beta", 2)], page: 1, page_size: 100, total: 2, total_pages: 1 } };
      return undefined;
    });
    wrap(<ProjectsList />);
    await waitFor(() => expect(shownOrder()).toEqual([1, 2]));
    await waitFor(() => expect(screen.queryByTestId("project-new")).toBeNull());
    expect((handleOf("Alpha") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("projects").querySelector("li")!.getAttribute("draggable")).toBe("false");
    fireEvent.pointerDown(handleOf("Alpha"));
    expect(screen.getByTestId("projects").querySelector("li")!.getAttribute("draggable")).toBe("false");
  });

  it("drags a project by its handle and drops it on another's place", async () => {
    nav.current!.reset("/projects");
    let order = [1, 2, 3];
    const titles: Record<number, string> = { 1: "Alpha", 2: "Beta", 3: "Gamma" };
    const seen = serve((req, path, body) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["content.view", "content.edit"]) };
      if (path === "/api/projects" && req.method === "GET") return { status: 200, body: { items: order.map((id, i) => project(id, titles[id], i + 1)), page: 1, page_size: 100, total: 3, total_pages: 1 } };
      if (path === "/api/projects/order") {
        order = (body as { ids: number[] }).ids;
        return { status: 204 };
      }
      return undefined;
    });
    wrap(<ProjectsList />);
    await waitFor(() => expect((handleOf("Alpha") as HTMLButtonElement).disabled).toBe(false));
    const items = () => [...screen.getByTestId("projects").querySelectorAll("li")];
    // not draggable until the handle is held: text in the item stays selectable
    expect(items()[0].getAttribute("draggable")).toBe("false");
    fireEvent.pointerDown(handleOf("Alpha"));
    expect(items()[0].getAttribute("draggable")).toBe("true");
    const dataTransfer = { setData: vi.fn(), effectAllowed: "", dropEffect: "" };
    fireEvent.dragStart(items()[0], { dataTransfer });
    fireEvent.dragOver(items()[2], { dataTransfer });
    fireEvent.drop(items()[2], { dataTransfer });
    await waitFor(() => expect(shownOrder()).toEqual([2, 3, 1]));
    await waitFor(() => expect(seen.find((s) => s.method === "PUT")?.body).toEqual({ ids: [2, 3, 1] }));
    expect(screen.getByTestId("projects-announce").textContent).toBe("Moved Alpha to position 3 of 3.");
  });
});
