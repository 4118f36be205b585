import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ProjectsList } from "@/features/projects";
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

type Answer = { status: number; body?: unknown; etag?: string };
type Seen = { method: string; path: string; ifMatch: string | null };
function serve(route: (req: Request, path: string) => Answer | undefined) {
  const seen: Seen[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    seen.push({ method: req.method, path, ifMatch: req.headers.get("If-Match") });
    const res = route(req, path) ?? { status: 404, body: { status: "error", code: "NOT_FOUND", message: "no route", request_id: "r" } };
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (res.etag) headers.ETag = res.etag;
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers });
  }));
  return seen;
}
const me = (permissions: string[]) => ({ id: 1, email: "admin@example.com", name: "Admin", is_superuser: false, roles: [], csrf_token: "c", totp_enabled: false, totp_setup_required: false, permissions });
type Row = ReturnType<typeof project>;
const project = (id: number, title: string, status: "draft" | "published" | "archived") => ({
  id, title, slug: title.toLowerCase(), lang: "en", client: "", started_on: null, ended_on: null, summary: "", body_md: "", body_html: "", cover_media_id: null,
  gallery: [], tags: [], links: [], featured: false, status, position: id, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z",
});
const refusal = (status: number, code: string) => ({ status, body: { status: "error", code, message: "server words", request_id: "r" } });

/** A portfolio server holding rows; DELETE answers by deleteAnswer (default: 204 when If-Match is the row's ETag). */
function portfolio(perms: string[], rows: Row[], deleteAnswer?: (id: number, ifMatch: string | null) => Answer | undefined) {
  const etags = new Map(rows.map((r) => [r.id, `"p${r.id}-1"`]));
  const seen = serve((req, path) => {
    if (path === "/api/auth/me") return { status: 200, body: me(perms) };
    if (path === "/api/projects" && req.method === "GET") return { status: 200, body: { items: rows, page: 1, page_size: 100, total: rows.length, total_pages: 1 } };
    const m = path.match(/^\/api\/projects\/(\d+)$/);
    const row = m && rows.find((r) => r.id === Number(m[1]));
    if (!m) return undefined;
    if (!row) return refusal(404, "NOT_FOUND");
    if (req.method === "GET") return { status: 200, body: row, etag: etags.get(row.id) };
    if (req.method === "DELETE") {
      const custom = deleteAnswer?.(row.id, req.headers.get("If-Match"));
      if (custom) return custom;
      if (req.headers.get("If-Match") !== etags.get(row.id)) return refusal(412, "PRECONDITION_FAILED");
      rows.splice(rows.indexOf(row), 1);
      return { status: 204 };
    }
    return undefined;
  });
  return { seen, etags };
}

const wrap = (at = "/projects") => {
  window.localStorage.setItem("pishkhan.locale", "en");
  nav.current!.reset(at);
  return render(<QueryClientProvider client={makeQueryClient()}><I18nProvider><ToastProvider><ProjectsList /></ToastProvider></I18nProvider></QueryClientProvider>);
};
const shown = () => [...screen.getByTestId("projects").querySelectorAll("[data-project-id]")].map((e) => Number(e.getAttribute("data-project-id")));
const deleteButton = (title: string) => screen.getByRole("button", { name: `Delete ${title}` });
const dialog = () => screen.getByRole("dialog");

describe("deleting a project from the portfolio", { timeout: 20_000 }, () => { // the machine's cores are shared
  it("names it and the consequence, deletes the version shown (If-Match), and puts focus on the project that took its place", async () => {
    const rows = [project(1, "Alpha", "draft"), project(2, "Beta", "published"), project(3, "Gamma", "archived")];
    const { seen } = portfolio(["content.view", "content.edit", "content.publish"], rows);
    wrap();
    await waitFor(() => expect(shown()).toEqual([1, 2, 3]));
    await userEvent.click(await screen.findByRole("button", { name: "Delete Beta" }));
    const d = dialog();
    expect(within(d).getByRole("heading").textContent).toBe("Delete “Beta”?");
    // a published one: the website loses it at once
    expect(within(d).getByTestId("delete-project-consequence").textContent).toBe(en["projects.confirmDelete.published"]);
    // focus starts on the safe choice
    expect(document.activeElement).toBe(within(d).getByRole("button", { name: "Cancel" }));
    await userEvent.click(await within(d).findByTestId("confirm"));
    await waitFor(() => expect(shown()).toEqual([1, 3]));
    expect(seen.filter((s) => s.method === "DELETE")).toEqual([{ method: "DELETE", path: "/api/projects/2", ifMatch: '"p2-1"' }]);
    // the row that took its place keeps the keyboard where it was
    await waitFor(() => expect(document.activeElement).toBe(deleteButton("Gamma")));
    expect(await screen.findByText("“Beta” was deleted.")).toBeTruthy();

    // the last row: focus goes to the one before; no row left: to the heading
    await userEvent.click(deleteButton("Gamma"));
    expect(within(dialog()).getByTestId("delete-project-consequence").textContent).toBe(en["projects.confirmDelete.draft"]);
    await userEvent.click(await within(dialog()).findByTestId("confirm"));
    await waitFor(() => expect(shown()).toEqual([1]));
    await waitFor(() => expect(document.activeElement).toBe(deleteButton("Alpha")));
    await userEvent.click(deleteButton("Alpha"));
    await userEvent.click(await within(dialog()).findByTestId("confirm"));
    await screen.findByTestId("projects-empty");
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1 })));
  });

  it("cancels without a request, and offers no delete where the server would refuse it", async () => {
    const rows = [project(1, "Alpha", "draft"), project(2, "Beta", "published")];
    const { seen } = portfolio(["content.view", "content.edit"], rows);
    wrap();
    await waitFor(() => expect(shown()).toEqual([1, 2]));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Delete Alpha" })).not.toBeNull());
    // a writer may delete a draft, not a published project (it needs content.publish)
    expect(screen.queryByRole("button", { name: "Delete Beta" })).toBeNull();
    await userEvent.click(deleteButton("Alpha"));
    await userEvent.click(within(dialog()).getByRole("button", { name: "Cancel" }));
    // (focus going back to the button is the shared dialog's, and jsdom cannot show it: the dialog is never hidden there)
    await waitFor(() => expect(screen.queryByRole("heading", { level: 2 })).toBeNull());
    expect(seen.filter((s) => s.method === "DELETE")).toEqual([]);
    expect(shown()).toEqual([1, 2]);
  });

  it("offers nothing to delete to a viewer", async () => {
    portfolio(["content.view"], [project(1, "Alpha", "draft")]);
    wrap();
    await waitFor(() => expect(shown()).toEqual([1]));
    await waitFor(() => expect(screen.queryByTestId("project-new")).toBeNull());
    expect(screen.queryByRole("button", { name: "Delete Alpha" })).toBeNull();
  });

  it("on a 412 shows the current version and deletes it when confirmed again", async () => {
    const rows = [project(1, "Alpha", "draft"), project(2, "Beta", "draft")];
    let first = true;
    const { seen, etags } = portfolio(["content.view", "content.edit"], rows, () => {
      if (!first) return undefined;
      // someone renamed it after the dialog read it
      first = false;
      rows[0] = { ...rows[0], title: "Alpha renamed" };
      etags.set(1, '"p1-2"');
      return refusal(412, "PRECONDITION_FAILED");
    });
    wrap();
    await waitFor(() => expect(shown()).toEqual([1, 2]));
    await userEvent.click(await screen.findByRole("button", { name: "Delete Alpha" }));
    await userEvent.click(await within(dialog()).findByTestId("confirm"));
    expect((await within(dialog()).findByTestId("delete-project-error")).textContent).toBe(en["projects.err.staleDelete"]);
    await waitFor(() => expect(within(dialog()).getByRole("heading").textContent).toBe("Delete “Alpha renamed”?"));
    await userEvent.click(within(dialog()).getByTestId("confirm"));
    await waitFor(() => expect(shown()).toEqual([2]));
    expect(seen.filter((s) => s.method === "DELETE").map((s) => s.ifMatch)).toEqual(['"p1-1"', '"p1-2"']);
  });

  it("explains a project already gone (404) and a refusal (403), with only a close button", async () => {
    const rows = [project(1, "Alpha", "draft"), project(2, "Beta", "draft")];
    portfolio(["content.view", "content.edit"], rows, (id) => (id === 1 ? refusal(404, "NOT_FOUND") : refusal(403, "PERMISSION_DENIED")));
    wrap();
    await waitFor(() => expect(shown()).toEqual([1, 2]));
    await userEvent.click(await screen.findByRole("button", { name: "Delete Alpha" }));
    await userEvent.click(await within(dialog()).findByTestId("confirm"));
    expect((await within(dialog()).findByTestId("delete-project-refused")).textContent).toBe(en["projects.err.gone"]);
    expect(within(dialog()).queryByTestId("confirm")).toBeNull();
    await userEvent.click(within(dialog()).getByRole("button", { name: "Close" }));

    await userEvent.click(deleteButton("Beta"));
    await userEvent.click(await within(dialog()).findByTestId("confirm"));
    expect((await within(dialog()).findByTestId("delete-project-refused")).textContent).toBe(en["projects.err.deleteForbidden"]);
    expect(within(dialog()).queryByTestId("confirm")).toBeNull();
  });

  it("reads the project afresh: one published since the list was drawn is not a writer's to delete", async () => {
    const rows = [project(1, "Alpha", "draft")];
    const { seen } = portfolio(["content.view", "content.edit"], rows);
    wrap();
    await waitFor(() => expect(shown()).toEqual([1]));
    const button = await screen.findByRole("button", { name: "Delete Alpha" });
    rows[0] = { ...rows[0], status: "published" }; // a publisher published it meanwhile
    await userEvent.click(button);
    expect((await within(dialog()).findByTestId("delete-project-refused")).textContent).toBe(en["projects.err.deleteForbidden"]);
    expect(within(dialog()).queryByTestId("confirm")).toBeNull();
    expect(seen.filter((s) => s.method === "DELETE")).toEqual([]);
  });
});

describe("searching the portfolio", { timeout: 20_000 }, () => {
  it("shows what the server's search index finds (every Persian spelling, the body) beside what matches on screen", async () => {
    const rows = [project(1, "Shop ۱۴۰۳", "draft"), project(2, "Harbor", "draft"), project(3, "Bridge", "published")];
    const asked: string[] = [];
    serve((req, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["content.view"]) };
      if (path === "/api/projects" && req.method === "GET") {
        const q = new URL(req.url).searchParams.get("q");
        if (q === null) return { status: 200, body: { items: rows, page: 1, page_size: 100, total: 3, total_pages: 1 } };
        asked.push(q);
        // the index folds the digits: "1403" finds the shop
        const items = q === "1403" ? [rows[0]] : [];
        return { status: 200, body: { items, page: 1, page_size: 100, total: items.length, total_pages: items.length ? 1 : 0 } };
      }
      return undefined;
    });
    wrap("/projects?q=1403");
    await waitFor(() => expect(shown()).toEqual([1]));
    expect(asked).toEqual(["1403"]);
  });

  it("keeps the on-screen match when the index finds nothing (a part of a word)", async () => {
    const rows = [project(1, "Harbor", "draft"), project(2, "Bridge", "draft")];
    serve((req, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["content.view"]) };
      if (path === "/api/projects" && new URL(req.url).searchParams.get("q") === null) return { status: 200, body: { items: rows, page: 1, page_size: 100, total: 2, total_pages: 1 } };
      if (path === "/api/projects") return refusal(500, "INTERNAL");
      return undefined;
    });
    wrap("/projects?q=arbo");
    await waitFor(() => expect(shown()).toEqual([1]));
  });
});
