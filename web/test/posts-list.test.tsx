import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PostsList } from "@/features/posts";
import { defaultPostFilters, postFiltersFromSearch, postFiltersToSearch, postsApiQuery } from "@/features/posts/listApi";
import { I18nProvider } from "@/lib/i18n";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";
import { memoryNavigation } from "./nav";

const nav = vi.hoisted(() => ({ current: null as ReturnType<typeof memoryNavigation> | null }));
vi.mock("next/navigation", async () => {
  const { memoryNavigation } = await import("./nav");
  nav.current = memoryNavigation("/posts");
  return nav.current.module;
});

afterEach(() => vi.unstubAllGlobals());

describe("the posts list's state in the URL", () => {
  it("keeps tab, filters, sort and page, and drops what is not valid", () => {
    const f = postFiltersFromSearch(new URLSearchParams("status=in_review&lang=fa&tag=گو&category=news&author=12&q=hello&sort=-published_at&page=3&page_size=50"));
    expect(f).toEqual({ tab: "in_review", lang: "fa", tag: "گو", category: "news", author: "12", q: "hello", sort: "-published_at", page: 3, pageSize: 50 });
    expect(postFiltersFromSearch(new URLSearchParams(postFiltersToSearch(f)))).toEqual(f);
    expect(postFiltersFromSearch(new URLSearchParams("status=deleted&lang=de&author=x1&sort=-password&page=0&page_size=7"))).toEqual(defaultPostFilters);
    expect(postFiltersToSearch(defaultPostFilters)).toBe("");
  });

  it("asks the API with its names (author_id; status only for a tab)", () => {
    expect(postsApiQuery({ ...defaultPostFilters, author: "12", q: "  x " })).toMatchObject({ author_id: 12, q: "x", status: undefined, sort: "-updated_at", page: 1, page_size: 20 });
    expect(postsApiQuery({ ...defaultPostFilters, tab: "scheduled" }).status).toEqual(["scheduled"]);
  });
});

type Answer = { status: number; body?: unknown };
function serve(route: (req: Request, url: URL) => Answer | undefined) {
  const seen: { method: string; path: string; search: string; body: unknown }[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const text = req.method === "GET" ? "" : await req.clone().text();
    seen.push({ method: req.method, path: url.pathname, search: url.search, body: text ? JSON.parse(text) : undefined });
    const res = route(req, url) ?? { status: 404, body: { code: "NOT_FOUND", message: "no route" } };
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers: { "Content-Type": "application/json" } });
  }));
  return seen;
}
const me = (permissions: string[]) => ({ id: 1, email: "admin@example.com", name: "Admin", is_superuser: false, roles: [], csrf_token: "c", totp_enabled: false, totp_setup_required: false, permissions });
const post = (id: number, title: string, status: string) => ({
  id, title, slug: `p-${id}`, lang: "en", excerpt: "", tags: ["go"], categories: ["news"], authors: [{ id: 4, name: "Sara" }], status,
  publish_at: null, unpublish_at: null, published_at: null, revision: 1, created_at: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T10:00:00Z",
});
const wrap = (ui: React.ReactNode) => {
  window.localStorage.setItem("pishkhan.locale", "en");
  return render(<QueryClientProvider client={makeQueryClient()}><I18nProvider><ToastProvider>{ui}</ToastProvider></I18nProvider></QueryClientProvider>);
};

describe("the posts list", { timeout: 20_000 }, () => { // the machine's cores are shared: rendering and typing can take seconds
  it("filters by tab and by a row's author into the URL, and asks the server with them", async () => {
    nav.current!.reset("/posts");
    const seen = serve((req, url) => {
      if (url.pathname === "/api/auth/me") return { status: 200, body: me(["content.view", "content.edit"]) };
      if (url.pathname === "/api/posts") return { status: 200, body: { items: [post(1, "Hello", "draft")], page: 1, page_size: 20, total: 1, total_pages: 1 } };
      return undefined;
    });
    wrap(<PostsList />);
    await screen.findByText("Hello");
    expect(document.body.textContent).toMatch(/\b1 post(?!s)/); // counted in the singular
    expect(screen.getByTestId("post-new").getAttribute("href")).toBe("/posts/new");
    await userEvent.click(within(screen.getByTestId("post-tabs")).getByRole("button", { name: "In review" }));
    expect(nav.current!.url).toBe("/posts?status=in_review");
    await userEvent.click(await screen.findByRole("button", { name: "Only posts by Sara" }));
    expect(nav.current!.url).toBe("/posts?status=in_review&author=4");
    expect((await screen.findByTestId("author-filter")).textContent).toContain("Author: Sara");
    await waitFor(() => expect(seen.filter((s) => s.path === "/api/posts").at(-1)?.search).toBe("?status=in_review&author_id=4&sort=-updated_at&page=1&page_size=20"));
  });

  it("archives the selected posts one by one after a confirmation and names the ones refused", async () => {
    nav.current!.reset("/posts");
    const seen = serve((req, url) => {
      if (url.pathname === "/api/auth/me") return { status: 200, body: me(["content.view", "content.edit", "content.publish"]) };
      if (url.pathname === "/api/posts") return { status: 200, body: { items: [post(1, "First", "published"), post(2, "Second", "archived"), post(3, "Third", "draft")], page: 1, page_size: 20, total: 3, total_pages: 1 } };
      if (url.pathname === "/api/posts/2/transition") {
        return { status: 409, body: { status: "error", code: "INVALID_TRANSITION", message: "no", details: { from: "archived", to: "archived", allowed: ["draft"] }, request_id: "r" } };
      }
      if (/^\/api\/posts\/\d\/transition$/.test(url.pathname)) return { status: 200, body: post(1, "x", "archived") };
      return undefined;
    });
    wrap(<PostsList />);
    await screen.findByText("First");
    await userEvent.click(await screen.findByTestId("select-all"));
    await userEvent.click(screen.getByTestId("bulk-archive"));
    const dialog = screen.getByRole("dialog");
    expect(within(dialog).getByText("Archive 3 posts?")).toBeTruthy();
    expect(seen.some((s) => s.method === "POST")).toBe(false);
    await userEvent.click(within(dialog).getByTestId("confirm"));
    const report = await screen.findByTestId("bulk-report");
    expect(seen.filter((s) => s.method === "POST").map((s) => [s.path, s.body])).toEqual([
      ["/api/posts/1/transition", { to: "archived" }],
      ["/api/posts/2/transition", { to: "archived" }],
      ["/api/posts/3/transition", { to: "archived" }],
    ]);
    expect(within(report).getByTestId("bulk-done").textContent).toBe("2 of 3 done.");
    expect(within(report).getAllByTestId("bulk-failure").map((li) => li.textContent)).toEqual(["Second: cannot be archived from “Archived”"]);
  });

  it("offers no bulk archive without content.publish", async () => {
    nav.current!.reset("/posts");
    serve((req, url) => {
      if (url.pathname === "/api/auth/me") return { status: 200, body: me(["content.view", "content.edit"]) };
      if (url.pathname === "/api/posts") return { status: 200, body: { items: [post(1, "First", "draft")], page: 1, page_size: 20, total: 1, total_pages: 1 } };
      return undefined;
    });
    wrap(<PostsList />);
    await screen.findByText("First");
    await screen.findByTestId("post-new");
    expect(screen.queryByTestId("select-all")).toBeNull();
  });
});
