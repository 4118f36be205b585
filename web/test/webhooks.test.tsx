import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebhooksScreen } from "@/features/webhooks";
import { I18nProvider } from "@/lib/i18n";
import { en } from "@/lib/messages.en";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";

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

const hook = (over: Record<string, unknown> = {}) => ({
  id: 7, url: "https://hooks.example.com/in", description: "site rebuild", events: ["post.published"], active: true, secret_hint: "whsec_…9f3a",
  created_by: { id: 1, email: "admin@example.com" }, created_at: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T10:00:00Z", ...over,
});
const page = (items: unknown[]) => ({ items, page: 1, page_size: 20, total: items.length, total_pages: items.length ? 1 : 0 });
const firstSecret = "whsec_4c1f0e2b9a7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170619f3a";
const rotatedSecret = "whsec_0000aaaabbbbccccddddeeeeffff00001111222233334444555566667777b0b0";

function wrap() {
  window.localStorage.setItem("pishkhan.locale", "en");
  const client = makeQueryClient();
  render(<QueryClientProvider client={client}><I18nProvider><ToastProvider><WebhooksScreen /></ToastProvider></I18nProvider></QueryClientProvider>);
  return client;
}
/** Everything the page's query and mutation caches hold, as text: the secret must never stay in them. */
const cacheText = (client: ReturnType<typeof makeQueryClient>) =>
  JSON.stringify([client.getQueryCache().getAll().map((q) => q.state.data), client.getMutationCache().getAll().map((m) => m.state.data)]);

describe("webhooks: the secret is shown once", { timeout: 20_000 }, () => { // the machine's cores are shared: rendering and typing can take seconds
  it("shows the new secret after creation with a copy button and a warning, and never again once dismissed", async () => {
    let hooks: ReturnType<typeof hook>[] = [];
    const seen = serve((req, path, body) => {
      if (path === "/api/webhooks" && req.method === "GET") return { status: 200, body: page(hooks) };
      if (path === "/api/webhooks" && req.method === "POST") {
        const b = body as { url: string; description: string; events: string[] };
        hooks = [hook({ url: b.url, description: b.description, events: b.events })];
        return { status: 201, body: { ...hooks[0], secret: firstSecret } };
      }
      return undefined;
    });
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const client = wrap();
    await screen.findByTestId("webhooks-empty");

    await userEvent.click(screen.getByTestId("webhook-new"));
    const dialog = screen.getByTestId("webhook-dialog");
    // a URL that is not http(s) is refused here, before anything is sent
    await userEvent.type(within(dialog).getByLabelText("URL"), "ftp://nope");
    await userEvent.click(within(dialog).getByTestId("webhook-submit"));
    expect(within(dialog).getByText(en["webhooks.err.url"])).toBeTruthy();
    expect(seen.some((s) => s.method === "POST")).toBe(false);

    await userEvent.clear(within(dialog).getByLabelText("URL"));
    await userEvent.type(within(dialog).getByLabelText("URL"), "https://hooks.example.com/in");
    await userEvent.type(within(dialog).getByLabelText("Description"), "site rebuild");
    await userEvent.click(within(dialog).getByRole("checkbox", { name: /Project published/ }));
    await userEvent.click(within(dialog).getByRole("checkbox", { name: /Post published/ }));
    await userEvent.click(within(dialog).getByTestId("webhook-submit"));

    await waitFor(() => expect(seen.filter((s) => s.method === "POST")).toEqual([
      // events in the contract's order, whatever order they were ticked in; no active (a new webhook is active)
      { method: "POST", path: "/api/webhooks", body: { url: "https://hooks.example.com/in", description: "site rebuild", events: ["post.published", "project.published"] }, ifMatch: null },
    ]));
    const reveal = await screen.findByTestId("secret-reveal");
    expect((within(reveal).getByTestId("secret-value") as HTMLInputElement).value).toBe(firstSecret);
    expect(within(reveal).getByText(en["webhooks.secret.warning"])).toBeTruthy();
    expect(document.activeElement).toBe(reveal);
    expect(screen.queryByTestId("webhook-dialog")?.hasAttribute("open")).toBeFalsy();

    await userEvent.click(within(reveal).getByTestId("secret-copy"));
    expect(writeText).toHaveBeenCalledWith(firstSecret);
    expect(within(reveal).getByText(en["webhooks.secret.copied"])).toBeTruthy();

    // the list shows only the hint; the secret lives in the reveal alone, never in the query cache
    await waitFor(() => expect(screen.getByTestId("secret-hint").textContent).toBe("whsec_…9f3a"));
    await waitFor(() => expect(cacheText(client)).not.toContain(firstSecret));

    await userEvent.click(within(reveal).getByTestId("secret-dismiss"));
    expect(screen.queryByTestId("secret-reveal")).toBeNull();
    expect(document.body.innerHTML).not.toContain(firstSecret);
    expect(cacheText(client)).not.toContain(firstSecret);
  }, 30_000); // typing a URL key by key is slow

  it("rotates only after a confirmation and shows the new secret once", async () => {
    const seen = serve((req, path) => {
      if (path === "/api/webhooks" && req.method === "GET") return { status: 200, body: page([hook()]) };
      if (path === "/api/webhooks/7/rotate-secret" && req.method === "POST") return { status: 200, body: { ...hook({ secret_hint: "whsec_…b0b0" }), secret: rotatedSecret } };
      return undefined;
    });
    const client = wrap();
    await userEvent.click(await screen.findByRole("button", { name: "Rotate secret" }));
    const confirm = screen.getByRole("dialog");
    expect(within(confirm).getByText("Rotate the signing secret of https://hooks.example.com/in?")).toBeTruthy();
    expect(seen.some((s) => s.path.endsWith("/rotate-secret"))).toBe(false);
    await userEvent.click(within(confirm).getByTestId("confirm"));
    const reveal = await screen.findByTestId("secret-reveal");
    expect((within(reveal).getByTestId("secret-value") as HTMLInputElement).value).toBe(rotatedSecret);
    await userEvent.click(within(reveal).getByTestId("secret-dismiss"));
    expect(document.body.innerHTML).not.toContain(rotatedSecret);
    await waitFor(() => expect(cacheText(client)).not.toContain(rotatedSecret));
  });

  it("shows a refused creation per field and reveals nothing", async () => {
    serve((req, path) => {
      if (path === "/api/webhooks" && req.method === "GET") return { status: 200, body: page([]) };
      if (path === "/api/webhooks" && req.method === "POST") {
        return { status: 422, body: { status: "error", code: "VALIDATION_FAILED", message: "invalid", details: { fields: { url: "must not point at a private address" } }, request_id: "r" } };
      }
      return undefined;
    });
    wrap();
    await screen.findByTestId("webhooks-empty");
    await userEvent.click(screen.getByTestId("webhook-new"));
    const dialog = screen.getByTestId("webhook-dialog");
    await userEvent.type(within(dialog).getByLabelText("URL"), "http://10.0.0.1/hook");
    await userEvent.click(within(dialog).getByTestId("webhook-submit"));
    expect(await within(dialog).findByText("must not point at a private address")).toBeTruthy();
    expect(within(dialog).getByLabelText("URL").getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByTestId("secret-reveal")).toBeNull();
  });

  it("edits with the ETag it read, and shows the delivery log after a test send", async () => {
    const seen = serve((req, path) => {
      if (path === "/api/webhooks" && req.method === "GET") return { status: 200, body: page([hook()]) };
      if (path === "/api/webhooks/7" && req.method === "GET") return { status: 200, body: hook(), etag: '"w7-3"' };
      if (path === "/api/webhooks/7" && req.method === "PATCH") return { status: 200, body: hook({ active: false }) };
      if (path === "/api/webhooks/7/test") return { status: 202, body: { id: 90, webhook_id: 7, delivery_id: "d-90", event: "ping", status: "pending", attempts: 0, response_code: null, response_excerpt: "", error: "", duration_ms: 0, created_at: "2026-12-01T10:05:00Z", updated_at: "2026-12-01T10:05:00Z", completed_at: null } };
      if (path === "/api/webhooks/7/deliveries") {
        return { status: 200, body: page([{ id: 90, webhook_id: 7, delivery_id: "d-90", event: "ping", status: "failed", attempts: 8, response_code: 500, response_excerpt: "", error: "HTTP 500", duration_ms: 12, created_at: "2026-12-01T10:05:00Z", updated_at: "2026-12-01T10:06:00Z", completed_at: "2026-12-01T10:06:00Z" }]) };
      }
      return undefined;
    });
    wrap();
    await userEvent.click(await screen.findByRole("button", { name: "Edit" }));
    const dialog = await screen.findByTestId("webhook-dialog");
    await waitFor(() => expect((within(dialog).getByLabelText("URL") as HTMLInputElement).value).toBe("https://hooks.example.com/in"));
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Active" }));
    await userEvent.click(within(dialog).getByTestId("webhook-submit"));
    await waitFor(() => expect(seen.find((s) => s.method === "PATCH")).toEqual({
      method: "PATCH", path: "/api/webhooks/7", ifMatch: '"w7-3"', body: { url: "https://hooks.example.com/in", description: "site rebuild", events: ["post.published"], active: false },
    }));

    await userEvent.click(screen.getByRole("button", { name: "Send test" }));
    const log = await screen.findByTestId("deliveries-7");
    const row = await within(log).findByText("ping");
    const tr = row.closest("tr")!;
    expect(within(tr).getByText("Failed")).toBeTruthy();
    expect(within(tr).getByText("500")).toBeTruthy();
    expect(within(tr).getByText("HTTP 500")).toBeTruthy();
  });
});
