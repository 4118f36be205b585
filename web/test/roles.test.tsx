import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Permission, Role } from "@/features/roles/api";
import { PermissionMatrix } from "@/features/roles/components/PermissionMatrix";
import { I18nProvider } from "@/lib/i18n";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";

vi.mock("next/navigation", () => ({ useRouter: () => ({ push: vi.fn(), replace: vi.fn() }), usePathname: () => "/roles" }));

type Route = (req: Request, body: unknown) => { status: number; body?: unknown; etag?: string } | undefined;

/** A fetch standing in for the server: every request is kept. */
function serve(route: Route) {
  const seen: { method: string; path: string; body: unknown; ifMatch: string | null }[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    const text = req.method === "GET" ? "" : await req.clone().text();
    const body = text ? JSON.parse(text) : undefined;
    seen.push({ method: req.method, path, body, ifMatch: req.headers.get("If-Match") });
    // a role read on its own answers as it is now, with its ETag
    const one = /^\/api\/roles\/(\d+)$/.exec(path);
    const res = route(req, body) ??
      (req.method === "GET" && one ? { status: 200, body: roles.find((r) => r.id === Number(one[1])), etag: `"role-${one[1]}"` } : undefined) ??
      { status: 404, body: { code: "NOT_FOUND", message: "no route" } };
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if ("etag" in res && res.etag) headers.ETag = res.etag;
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers });
  }));
  return seen;
}

const perms: Permission[] = [
  { name: "orders.create", area: "orders", description: "Create orders" },
  { name: "orders.view", area: "orders", description: "See orders, their items and history" },
  { name: "stats.view", area: "stats", description: "See the statistics dashboard" },
  { name: "users.manage", area: "users", description: "Create, edit and deactivate users; see every session" },
];
const role = (over: Partial<Role>): Role => ({ id: 1, name: "R", description: "", builtin: false, permissions: [], require_totp: false, users_count: 0, created_at: "2026-01-01T00:00:00Z", ...over });
const roles: Role[] = [
  role({ id: 1, name: "Viewer", builtin: true, permissions: ["orders.view", "stats.view"], users_count: 3 }),
  role({ id: 10, name: "Desk", permissions: ["orders.view", "orders.create"], users_count: 1 }),
  role({ id: 11, name: "People", permissions: ["users.manage"] }),
];
// holds roles.manage and the orders and stats permissions, not users.manage
const me = { id: 7, email: "sara@example.com", name: "Sara", is_superuser: false, roles: [], permissions: ["roles.manage", "orders.view", "orders.create", "stats.view"],
  csrf_token: "c", totp_enabled: false, totp_setup_required: false };

function wrap() {
  window.localStorage.setItem("pishkhan.locale", "en");
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <I18nProvider><ToastProvider><PermissionMatrix roles={roles} permissions={perms} onDelete={() => {}} /></ToastProvider></I18nProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("the permission matrix", () => {
  it("groups permissions by area and keeps built-in roles read-only", async () => {
    serve((req) => (new URL(req.url).pathname === "/api/auth/me" ? { status: 200, body: me } : undefined));
    wrap();
    // the custom role becomes editable once the user is known
    await screen.findByRole("checkbox", { name: "Desk: Create orders" });
    const header = screen.getByRole("columnheader", { name: /Viewer/ });
    expect(header.getAttribute("data-builtin")).toBe("true");
    expect(header.getAttribute("data-editable")).toBe("false");
    expect(within(header).getByText(/^Built-in role: its permissions are fixed/)).toBeTruthy();
    // no permission control in a built-in column (marks that read as granted or not): only its two-factor rule
    expect([...document.querySelectorAll('input[data-cell^="Viewer|"]')].map((e) => e.getAttribute("data-cell"))).toEqual(["Viewer|require_totp"]);
    expect(document.querySelector('[data-cell="Viewer|orders.view"]')?.getAttribute("data-on")).toBe("true");
    expect(document.querySelector('[data-cell="Viewer|orders.create"]')?.textContent).toMatch(/not granted/);
    expect(screen.queryByTestId("delete-role-1")).toBeNull();
    // areas head their rows
    expect(screen.getAllByRole("rowheader").map((h) => h.textContent)).toEqual(expect.arrayContaining(["Orders", "Statistics", "Users"]));
  });

  it("sends one PATCH per role with the whole new permission list, and only what changed", async () => {
    const seen = serve((req, body) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/auth/me") return { status: 200, body: me };
      if (req.method === "PATCH" && path === "/api/roles/10") return { status: 200, body: { ...roles[1], ...(body as object) } };
    });
    wrap();
    await userEvent.click(await screen.findByRole("checkbox", { name: "Desk: Create orders" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Desk: See the statistics dashboard" }));
    expect(screen.getByText("Unsaved changes in: Desk").getAttribute("role")).toBe("status");
    // nothing is sent before Save
    expect(seen.filter((r) => r.method !== "GET")).toHaveLength(0);
    await userEvent.click(screen.getByTestId("save-role-10"));
    await waitFor(() => expect(seen.some((r) => r.method === "PATCH")).toBe(true));
    const patches = seen.filter((r) => r.method === "PATCH");
    // against the role as read just before, by its ETag
    expect(patches).toEqual([{ method: "PATCH", path: "/api/roles/10", body: { permissions: ["orders.view", "stats.view"] }, ifMatch: '"role-10"' }]);
  });

  it("saves a built-in role's two-factor rule, and nothing else of it", async () => {
    const seen = serve((req, body) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/auth/me") return { status: 200, body: me };
      if (req.method === "PATCH") return { status: 200, body: { ...roles[0], ...(body as object) } };
    });
    wrap();
    await userEvent.click(await screen.findByRole("checkbox", { name: "Viewer: Require two-factor" }));
    await userEvent.click(screen.getByTestId("save-role-1"));
    await waitFor(() => expect(seen.filter((r) => r.method === "PATCH")).toEqual([{ method: "PATCH", path: "/api/roles/1", body: { require_totp: true }, ifMatch: '"role-1"' }]));
  });

  it("says so, and sends nothing, when someone else changed the role meanwhile", async () => {
    const seen = serve((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/auth/me") return { status: 200, body: me };
      // read again, the role has another permission than the matrix showed
      if (req.method === "GET" && path === "/api/roles/10") return { status: 200, body: { ...roles[1], permissions: ["orders.view"] }, etag: '"newer"' };
    });
    wrap();
    await userEvent.click(await screen.findByRole("checkbox", { name: "Desk: See the statistics dashboard" }));
    await userEvent.click(screen.getByTestId("save-role-10"));
    expect((await screen.findByRole("alert")).textContent).toBe("Someone else changed this role meanwhile. The matrix now shows their change; check yours and save again.");
    expect(seen.filter((r) => r.method === "PATCH")).toHaveLength(0);
    // the draft stays, to be checked against the new state and saved again
    expect(screen.getByTestId("save-role-10")).toBeTruthy();
  });

  it("saves the two-factor requirement alone when only it changed", async () => {
    const seen = serve((req, body) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/auth/me") return { status: 200, body: me };
      if (req.method === "PATCH") return { status: 200, body: { ...roles[1], ...(body as object) } };
    });
    wrap();
    await userEvent.click(await screen.findByRole("checkbox", { name: "Desk: Require two-factor" }));
    await userEvent.click(screen.getByTestId("save-role-10"));
    await waitFor(() => expect(seen.filter((r) => r.method === "PATCH")).toEqual([{ method: "PATCH", path: "/api/roles/10", body: { require_totp: true }, ifMatch: '"role-10"' }]));
  });

  it("does not offer what the server would refuse", async () => {
    serve((req) => (new URL(req.url).pathname === "/api/auth/me" ? { status: 200, body: me } : undefined));
    wrap();
    // a permission the user lacks cannot be granted
    const manage = await screen.findByRole("checkbox", { name: /^Desk: Create, edit and deactivate users/ });
    expect((manage as HTMLInputElement).disabled).toBe(true);
    expect(manage.getAttribute("aria-label")).toMatch(/you can't grant it/);
    // the permissions of a role holding one the user lacks cannot be changed (its two-factor rule can)
    expect([...document.querySelectorAll('input[data-cell^="People|"]')].map((e) => e.getAttribute("data-cell"))).toEqual(["People|require_totp"]);
    expect(screen.getByRole("columnheader", { name: /People/ }).getAttribute("title")).toMatch(/users\.manage/);
  });

  it("explains a refusal in the user's words", async () => {
    serve((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/auth/me") return { status: 200, body: me };
      if (req.method === "PATCH") return { status: 422, body: { status: "error", code: "VALIDATION_FAILED", message: "invalid",
        details: { fields: { "permissions[2]": "you do not hold \"stats.view\", so you cannot grant it" }, field_reasons: { "permissions[2]": "not_held" } }, request_id: "r" } };
    });
    wrap();
    await userEvent.click(await screen.findByRole("checkbox", { name: "Desk: See the statistics dashboard" }));
    await userEvent.click(screen.getByTestId("save-role-10"));
    expect((await screen.findByRole("alert")).textContent).toBe("You don't hold “stats.view”, so you can't grant it.");
    // the draft stays for another try
    expect(screen.getByTestId("save-role-10")).toBeTruthy();
  });
});

describe("roles screen focus", () => {
  it("after a role is deleted, focus is on the page heading, not lost with its column", async () => {
    const { RolesScreen } = await import("@/features/roles/components/RolesScreen");
    let gone = false;
    const temp = role({ id: 12, name: "Temp", permissions: ["orders.view"] });
    const all = [...roles, temp];
    serve((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/auth/me") return { status: 200, body: me };
      if (path === "/api/permissions") return { status: 200, body: { items: perms } };
      if (path === "/api/roles" && req.method === "GET") {
        const items = gone ? roles : all;
        return { status: 200, body: { items, page: 1, page_size: 100, total: items.length, total_pages: 1 } };
      }
      if (req.method === "DELETE" && path === "/api/roles/12") { gone = true; return { status: 204 }; }
      return undefined;
    });
    window.localStorage.setItem("pishkhan.locale", "en");
    render(
      <QueryClientProvider client={makeQueryClient()}>
        <I18nProvider><ToastProvider><RolesScreen /></ToastProvider></I18nProvider>
      </QueryClientProvider>,
    );
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("delete-role-12"));
    await user.click(await screen.findByTestId("confirm"));
    await waitFor(() => expect(screen.queryByTestId("delete-role-12")).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1 })));
  });
});
