import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { explainUserError } from "@/features/users/errors";
import { UserDetail } from "@/features/users/components/UserDetail";
import { toApiError } from "@/lib/api/client";
import { I18nProvider } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { en as enMessages } from "@/lib/messages.en";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";

vi.mock("next/navigation", () => ({ useRouter: () => ({ push: vi.fn(), replace: vi.fn() }), usePathname: () => "/users/detail" }));

type Answer = { status: number; body?: unknown; etag?: string };
type Route = (req: Request, body: unknown) => Answer | undefined;

/** A fetch standing in for the server: every request is kept, with its If-Match. */
function serve(route: Route) {
  const seen: { method: string; path: string; body: unknown; ifMatch: string | null }[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const text = req.method === "GET" ? "" : await req.clone().text();
    const body = text ? JSON.parse(text) : undefined;
    seen.push({ method: req.method, path: url.pathname, body, ifMatch: req.headers.get("If-Match") });
    const res = route(req, body) ?? { status: 404, body: { code: "NOT_FOUND", message: "no route" } };
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (res.etag) headers.ETag = res.etag;
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers });
  }));
  return seen;
}

const admin = { id: 1, email: "admin@example.com", name: "Admin", is_superuser: false, roles: [], csrf_token: "c", totp_enabled: false, totp_setup_required: false,
  permissions: ["users.view", "users.manage", "orders.view"] };
const user = (over: object = {}) => ({ id: 5, email: "sara@example.com", name: "Sara", is_superuser: false, is_active: true, invited: false, totp_enabled: true,
  roles: [], created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-02T00:00:00Z", ...over });

/** The reads the user screen makes; `target` is the user shown. */
function reads(me: object, target: object, etag = '"v1"'): Route {
  return (req) => {
    const path = new URL(req.url).pathname;
    if (req.method !== "GET") return undefined;
    if (path === "/api/auth/me") return { status: 200, body: me };
    if (path === "/api/users/5") return { status: 200, body: target, etag };
    if (path === "/api/roles") return { status: 200, body: { items: [], page: 1, page_size: 100, total: 0, total_pages: 0 } };
    if (path === "/api/permissions") return { status: 200, body: { items: [] } };
    return undefined;
  };
}

function wrap() {
  window.localStorage.setItem("pishkhan.locale", "en");
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <I18nProvider><ToastProvider><UserDetail id={5} /></ToastProvider></I18nProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("the user screen", () => {
  it("resets another user's second factor after a confirmation", async () => {
    let target = user();
    const read = reads(admin, target);
    const seen = serve((req, body) => {
      if (req.method === "DELETE" && new URL(req.url).pathname === "/api/users/5/totp") {
        target = user({ totp_enabled: false });
        return { status: 204 };
      }
      return reads(admin, target)(req, body) ?? read(req, body);
    });
    wrap();
    expect((await screen.findByTestId("user-totp-state")).getAttribute("data-enabled")).toBe("true");
    await userEvent.click(screen.getByTestId("reset-totp"));
    // nothing happens before the confirmation
    expect(seen.some((r) => r.method === "DELETE")).toBe(false);
    const dialog = screen.getByRole("dialog", { name: "Reset two-factor authentication of Sara?", hidden: true });
    expect(within(dialog).getByText(/every session of theirs ends/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole("button", { name: "Reset two-factor", hidden: true }));
    await waitFor(() => expect(seen.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual(["/api/users/5/totp"]));
    expect(await screen.findByText("Two-factor authentication of Sara is reset.")).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("user-totp-state").getAttribute("data-enabled")).toBe("false"));
    expect(screen.queryByTestId("reset-totp")).toBeNull();
  });

  it("does not offer the reset for yourself or, to a non-superuser, for a superuser", async () => {
    serve(reads({ ...admin, id: 5 }, user()));
    const { unmount } = wrap();
    await screen.findByTestId("user-totp-state");
    expect(screen.queryByTestId("reset-totp")).toBeNull();
    expect(screen.getByText(/Change your own second factor on your two-factor page/)).toBeTruthy();
    unmount();
    vi.unstubAllGlobals();
    serve(reads(admin, user({ is_superuser: true })));
    wrap();
    await screen.findByText("Only a superuser can change a superuser or reset their password.");
    expect(screen.queryByTestId("reset-totp")).toBeNull();
  });

  it("saves with the ETag it read, and on 412 says someone else changed the user", async () => {
    let answer: Answer = { status: 412, body: { status: "error", code: "PRECONDITION_FAILED", message: "the user changed", request_id: "r" } };
    const seen = serve((req, body) => (req.method === "PATCH" ? answer : reads(admin, user(), '"v1"')(req, body)));
    wrap();
    const name = await screen.findByLabelText("Name");
    await userEvent.clear(name);
    await userEvent.type(name, "Sara K");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    const alert = await screen.findByTestId("user-stale");
    expect(alert.textContent).toMatch(/Someone else changed this user while you were editing/);
    expect(seen.filter((r) => r.method === "PATCH")).toEqual([{ method: "PATCH", path: "/api/users/5", body: { name: "Sara K" }, ifMatch: '"v1"' }]);
    // reloading reads the user again and starts from it
    answer = { status: 200, body: user({ name: "Sara K" }) };
    const before = seen.filter((r) => r.method === "GET" && r.path === "/api/users/5").length;
    await userEvent.click(within(alert).getByRole("button", { name: "Reload" }));
    await waitFor(() => expect(seen.filter((r) => r.method === "GET" && r.path === "/api/users/5").length).toBeGreaterThan(before));
  });

  it("shows the screen in one piece once the roles are in, so the form never arrives above cards already shown (no layout shift)", async () => {
    let releaseRoles = () => {};
    const rolesHeld = new Promise<void>((r) => (releaseRoles = r));
    const read = reads(admin, user());
    vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/roles") await rolesHeld;
      const res = read(req, undefined)!;
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (res.etag) headers.ETag = res.etag;
      return new Response(JSON.stringify(res.body), { status: res.status, headers });
    }));
    wrap();
    // the user and who I am are in; the roles are not: nothing of the screen yet, only its skeleton
    await waitFor(() => expect(vi.mocked(fetch).mock.calls.some(([r]) => new URL((r as Request).url).pathname === "/api/roles")).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole("heading", { name: "Account" })).toBeNull();
    expect(screen.queryByTestId("user-totp")).toBeNull();
    releaseRoles();
    // then the form and the cards beside it come together
    await screen.findByTestId("user-edit");
    expect(screen.getByRole("heading", { name: "Account" })).toBeTruthy();
    expect(screen.getByTestId("user-totp")).toBeTruthy();
  });
});

describe("refusals are told apart by details.reason, not by their wording", () => {
  const en = (key: MessageKey) => enMessages[key];
  const refusal = (status: number, code: string, reason: string) =>
    toApiError(status, { code, message: "any wording at all", details: { reason }, request_id: "r" });
  it.each([
    [409, "CONFLICT", "last_superuser", "users.err.lastSuperuser"],
    [403, "PERMISSION_DENIED", "self", "users.err.self"],
    [403, "PERMISSION_DENIED", "superuser_only", "users.err.superOnly"],
    [403, "PERMISSION_DENIED", "outranked", "users.err.outranked"],
    [403, "PERMISSION_DENIED", "", "error.forbidden"],
  ] as const)("%s %s %s", (status, code, reason, key) => {
    expect(explainUserError(en, refusal(status, code, reason))).toBe(en(key));
  });
});
