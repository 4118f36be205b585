import { QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ProjectEditor } from "@/features/projects";
import { toWire } from "@/features/projects/api";
import { emptyProject } from "@/features/projects/components/ProjectEditor";
import { I18nProvider } from "@/lib/i18n";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";

const router = vi.hoisted(() => ({ replace: vi.fn(), push: vi.fn() }));
vi.mock("next/navigation", () => ({ useRouter: () => router, usePathname: () => "/projects/edit", useSearchParams: () => new URLSearchParams("id=5") }));

afterEach(() => vi.unstubAllGlobals());

type Answer = { status: number; body?: unknown; etag?: string };
function serve(route: (req: Request, path: string, body: unknown) => Answer | undefined) {
  const seen: { method: string; path: string; body: unknown; ifMatch: string | null }[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    const text = req.method === "GET" ? "" : await req.clone().text();
    const body = text ? JSON.parse(text) : undefined;
    seen.push({ method: req.method, path, body, ifMatch: req.headers.get("If-Match") });
    const res = route(req, path, body) ?? { status: 404, body: { code: "NOT_FOUND", message: "no route" } };
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (res.etag) headers.ETag = res.etag;
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers });
  }));
  return seen;
}
const me = (permissions: string[]) => ({ id: 1, email: "admin@example.com", name: "Admin", is_superuser: false, roles: [], csrf_token: "c", totp_enabled: false, totp_setup_required: false, permissions });
const project = (over: Record<string, unknown> = {}) => ({
  id: 5, title: "Bridge", slug: "bridge", lang: "en", client: "City", started_on: "2026-01-10", ended_on: null, summary: "", body_md: "# Bridge", body_html: "<h1>Bridge</h1>",
  cover_media_id: null, gallery: [], tags: ["steel"], links: [], featured: false, status: "draft", position: 1, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", ...over,
});
const wrap = () => {
  window.localStorage.setItem("pishkhan.locale", "en");
  return render(<QueryClientProvider client={makeQueryClient()}><I18nProvider><ToastProvider><ProjectEditor id={5} /></ToastProvider></I18nProvider></QueryClientProvider>);
};

describe("a project as sent", () => {
  it("clears an emptied date or cover on update the API's way, and leaves empty ones out on create", () => {
    const form = { ...emptyProject, title: "Bridge", slug: "", started_on: null, ended_on: "2026-02-01", cover_media_id: null };
    expect(toWire(form, "update")).toMatchObject({ started_on: "", ended_on: "2026-02-01", cover_media_id: 0 });
    expect(toWire(form, "update")).not.toHaveProperty("slug"); // an emptied slug keeps the current one
    const created = toWire(form, "create");
    expect(created).not.toHaveProperty("started_on");
    expect(created).not.toHaveProperty("cover_media_id");
    expect(created).not.toHaveProperty("slug"); // made from the title
    expect(created).toMatchObject({ title: "Bridge", lang: "fa", ended_on: "2026-02-01", gallery: [], links: [], tags: [], featured: false });
    expect(created).not.toHaveProperty("body_html");
  });
});

describe("the project editor", { timeout: 20_000 }, () => { // the machine's cores are shared: rendering and typing can take seconds
  it("saves with the ETag it read; on a 412 it offers their version, and loading it replaces the form", async () => {
    let current = project();
    let etag = '"p5-1"';
    const seen = serve((req, path, body) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["content.view", "content.edit", "content.publish"]) };
      if (path === "/api/projects/5" && req.method === "GET") return { status: 200, body: current, etag };
      if (path === "/api/projects/5" && req.method === "PATCH") {
        if (req.headers.get("If-Match") !== etag) return { status: 412, body: { status: "error", code: "PRECONDITION_FAILED", message: "stale", request_id: "r" } };
        current = { ...current, ...(body as object) };
        etag = '"p5-2"';
        return { status: 200, body: current, etag };
      }
      return undefined;
    });
    wrap();
    const title = await screen.findByLabelText("Title");
    await waitFor(() => expect((title as HTMLInputElement).value).toBe("Bridge"));
    fireEvent.change(title, { target: { value: "Bridge over the river" } });
    await userEvent.click(screen.getByTestId("project-save"));
    await waitFor(() => expect(seen.find((s) => s.method === "PATCH")).toMatchObject({ ifMatch: '"p5-1"', body: { title: "Bridge over the river", slug: "bridge", tags: ["steel"], started_on: "2026-01-10", ended_on: "", cover_media_id: 0 } }));
    expect(seen.find((s) => s.method === "PATCH")!.body).not.toHaveProperty("body_html");

    // someone else saves meanwhile
    current = { ...current, title: "Their bridge" };
    etag = '"p5-9"';
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "My bridge" } });
    await userEvent.click(screen.getByTestId("project-save"));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByText("This project changed meanwhile")).toBeTruthy();
    expect(seen.filter((s) => s.method === "PATCH").at(-1)!.ifMatch).toBe('"p5-2"');
    await userEvent.click(within(dialog).getByTestId("confirm"));
    await waitFor(() => expect((screen.getByLabelText("Title") as HTMLInputElement).value).toBe("Their bridge"));
    // and a save now goes with their ETag
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "Our bridge" } });
    await userEvent.click(screen.getByTestId("project-save"));
    await waitFor(() => expect(seen.filter((s) => s.method === "PATCH").at(-1)!.ifMatch).toBe('"p5-9"'));
    await waitFor(() => expect((screen.getByLabelText("Title") as HTMLInputElement).value).toBe("Our bridge"));
  });

  it("publishes only after a confirmation naming the project, and keeps the form's edits", async () => {
    let current = project();
    const seen = serve((req, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["content.view", "content.edit", "content.publish"]) };
      if (path === "/api/projects/5" && req.method === "GET") return { status: 200, body: current, etag: `"p5-${current.status}"` };
      if (path === "/api/projects/5/transition") {
        current = { ...current, status: "published" };
        return { status: 200, body: current };
      }
      return undefined;
    });
    wrap();
    await waitFor(() => expect((screen.getByLabelText("Title") as HTMLInputElement).value).toBe("Bridge"));
    fireEvent.change(screen.getByLabelText("Client"), { target: { value: "Town" } });
    await userEvent.click(screen.getByRole("button", { name: "Publish" }));
    const dialog = screen.getByRole("dialog");
    expect(within(dialog).getByText("Publish “Bridge”?")).toBeTruthy();
    expect(seen.some((s) => s.path.endsWith("/transition"))).toBe(false);
    await userEvent.click(within(dialog).getByTestId("confirm"));
    await waitFor(() => expect(seen.find((s) => s.path.endsWith("/transition"))?.body).toEqual({ to: "published" }));
    await waitFor(() => expect(document.querySelector("[data-project-status]")?.getAttribute("data-project-status")).toBe("published"));
    expect((screen.getByLabelText("Client") as HTMLInputElement).value).toBe("Town");
    expect(screen.getByRole("button", { name: "Unpublish" })).toBeTruthy();
  });

  it("lets a writer without content.publish read a published project but not save it (a save would go live)", async () => {
    const current = { ...project(), status: "published" };
    const seen = serve((req, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["content.view", "content.edit"]) };
      if (path === "/api/projects/5" && req.method === "GET") return { status: 200, body: current, etag: '"p5"' };
      return undefined;
    });
    wrap();
    await waitFor(() => expect((screen.getByLabelText("Title") as HTMLInputElement).value).toBe("Bridge"));
    await waitFor(() => expect(screen.getByRole("note").textContent).toMatch(/only someone who may publish/));
    expect((screen.getByLabelText("Title") as HTMLInputElement).disabled).toBe(true);
    expect(screen.queryByTestId("project-save")).toBeNull();
    expect(seen.some((s) => s.method !== "GET")).toBe(false);
  });

  it("shows the server's rendering of the body on the preview tab", async () => {
    serve((req, path, body) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["content.view", "content.edit"]) };
      if (path === "/api/projects/5") return { status: 200, body: project(), etag: '"p5-1"' };
      if (path === "/api/content/render") return { status: 200, body: { html: `<h1>rendered: ${(body as { markdown: string }).markdown}</h1>` } };
      return undefined;
    });
    wrap();
    await waitFor(() => expect((screen.getByLabelText("Title") as HTMLInputElement).value).toBe("Bridge"));
    expect(screen.queryByRole("button", { name: "Publish" })).toBeNull(); // content.edit alone cannot publish
    await userEvent.click(screen.getByTestId("body-preview-tab"));
    await waitFor(() => expect(screen.getByTestId("body-preview").querySelector("h1")?.textContent).toBe("rendered: # Bridge"));
  });
});
