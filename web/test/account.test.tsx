import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  accountViewFromSearch, accountViewToSearch, addDays, describeUserAgent, expiryBounds, expiryInstant, localDay, tokenFieldOf, tokenStatus,
} from "@/features/account/api";
import { ChangePasswordForm } from "@/features/account/components/ChangePasswordForm";
import { SessionsSection } from "@/features/account/components/SessionsSection";
import { TokensSection } from "@/features/account/components/TokensSection";
import { I18nProvider } from "@/lib/i18n";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";

type Answer = { status: number; body?: unknown };
type Route = (req: Request, path: string) => Answer | undefined;
type Seen = { method: string; path: string; search: string; body: unknown };

/** A fetch standing in for the server: each request goes to the route; every request is kept. */
function serve(route: Route) {
  const seen: Seen[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const text = req.method === "GET" ? "" : await req.clone().text();
    seen.push({ method: req.method, path: url.pathname, search: url.search, body: text ? JSON.parse(text) : undefined });
    const res = route(req, url.pathname) ?? { status: 404, body: { code: "NOT_FOUND", message: "no route" } };
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers: { "Content-Type": "application/json" } });
  }));
  return seen;
}

const me = (permissions: string[], over: object = {}) => ({
  id: 7, email: "sara@example.com", name: "Sara", is_superuser: false, roles: [{ id: 2, name: "Support" }], permissions, csrf_token: "c",
  totp_enabled: false, totp_setup_required: false, ...over,
});

// what GET /api/permissions answers (a part of the real catalogue)
const catalogue = [
  { name: "audit.view", area: "audit", description: "Read the audit log" },
  { name: "orders.create", area: "orders", description: "Create orders" },
  { name: "orders.update_status", area: "orders", description: "Move orders through their statuses" },
  { name: "orders.view", area: "orders", description: "See orders, their items and history" },
  { name: "users.manage", area: "users", description: "Create, edit and deactivate users; see every session" },
  { name: "users.view", area: "users", description: "See users" },
];

const page = <T,>(items: T[]) => ({ items, page: 1, page_size: 20, total: items.length, total_pages: items.length ? 1 : 0 });
const validation = (fields: Record<string, string>, field_reasons: Record<string, string> = {}): Answer =>
  ({ status: 422, body: { status: "error", code: "VALIDATION_FAILED", message: "the request has invalid fields", details: { fields, field_reasons }, request_id: "r1" } });

function wrap(ui: React.ReactNode, locale: "en" | "fa" = "en") {
  window.localStorage.setItem("pishkhan.locale", locale);
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <I18nProvider><ToastProvider>{ui}</ToastProvider></I18nProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** A server with some tokens; POST /api/tokens answers `created` (or what `onCreate` says). */
function tokenServer(held: string[], onCreate?: (body: Record<string, unknown>) => Answer) {
  const tokens: Record<string, unknown>[] = [];
  const seen = serve((req, path) => {
    if (path === "/api/auth/me") return { status: 200, body: me(held) };
    if (path === "/api/permissions") return { status: 200, body: { items: catalogue } };
    if (path === "/api/tokens" && req.method === "GET") return { status: 200, body: page([...tokens].reverse()) };
    if (path === "/api/tokens" && req.method === "POST") {
      const body = seen[seen.length - 1].body as Record<string, unknown>;
      const custom = onCreate?.(body);
      if (custom) return custom;
      const token = { id: tokens.length + 1, user_id: 7, name: body.name, prefix: "pk_a1b2c3", permissions: body.permissions,
        created_at: new Date().toISOString(), expires_at: body.expires_at, last_used_at: null, revoked_at: null };
      tokens.push(token);
      return { status: 201, body: { token, secret: "pk_a1b2c3SECRETxyz0123456789" } };
    }
  });
  return seen;
}

describe("the API token form", () => {
  it("offers only the permissions the user holds, grouped by area with their descriptions", async () => {
    tokenServer(["orders.view", "orders.create", "audit.view"]);
    wrap(<TokensSection page={1} onPage={() => {}} />);
    expect(await screen.findByTestId("tokens-empty")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "New token" }));
    const form = await screen.findByTestId("token-create");
    await within(form).findByRole("checkbox", { name: /orders\.view/ });
    const boxes = within(form).getAllByRole("checkbox") as HTMLInputElement[];
    expect(boxes.map((b) => b.value).sort()).toEqual(["audit.view", "orders.create", "orders.view"]);
    // grouped: one fieldset per area, named for people, each with the descriptions
    const orders = form.querySelector('[data-area="orders"]') as HTMLElement;
    expect(within(orders).getByText("Orders").tagName).toBe("LEGEND");
    expect(within(orders).getByText("See orders, their items and history")).toBeTruthy();
    expect(within(orders).getAllByRole("checkbox")).toHaveLength(2);
    expect(form.querySelector('[data-area="users"]')).toBeNull();
    expect(within(form).queryByRole("checkbox", { name: /users\.manage/ })).toBeNull();
    // nothing chosen: refused before anything is sent
    await userEvent.type(within(form).getByLabelText("Name"), "nightly export");
    await userEvent.click(within(form).getByRole("button", { name: "Create token" }));
    expect(await within(form).findByText("Choose at least one permission.")).toBeTruthy();
    await userEvent.click(within(form).getByRole("button", { name: "Select all" }));
    expect(boxes.every((b) => b.checked)).toBe(true);
    await waitFor(() => expect(within(form).queryByText("Choose at least one permission.")).toBeNull());
  });

  it("defaults the expiry to 30 days, refuses a day outside tomorrow…366 days, and sends RFC 3339", async () => {
    const seen = tokenServer(["orders.view"]);
    wrap(<TokensSection page={1} onPage={() => {}} />);
    await userEvent.click(await screen.findByRole("button", { name: "New token" }));
    const form = await screen.findByTestId("token-create");
    await userEvent.click(await within(form).findByRole("checkbox", { name: /orders\.view/ }));
    await userEvent.type(within(form).getByLabelText("Name"), "ci");
    // the shared date picker (Gregorian in en), bounded to tomorrow…366 days ahead
    const bounds = form.querySelector('[data-date-field="expires"]') as HTMLElement;
    const now = new Date();
    expect(bounds.dataset.min).toBe(localDay(addDays(now, 1)));
    expect(bounds.dataset.max).toBe(localDay(addDays(now, 366)));
    const shown = (d: Date) => new Intl.DateTimeFormat("en-US", { year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
    expect((within(form).getByLabelText("Expiry date") as HTMLInputElement).value).toBe(shown(addDays(now, 30)));
    expect(within(form).getByText(/The token stops working on .+ At most 366 days ahead\./)).toBeTruthy();

    // typed segment by segment (month, day, year), applied once whole
    const user = userEvent.setup();
    await user.click(within(form).getByLabelText("Expiry date"));
    await waitFor(() => expect(document.activeElement?.getAttribute("role")).toBe("spinbutton"), { timeout: 5000 });
    const typeDay = async (d: Date) => {
      const first = within(form).getAllByRole("spinbutton")[0];
      first.focus();
      await user.keyboard(`${String(d.getMonth() + 1).padStart(2, "0")}${String(d.getDate()).padStart(2, "0")}${d.getFullYear()}`);
      await waitFor(() => expect(within(form).getByRole("group", { name: "Expiry date" }).textContent).toContain(String(d.getFullYear())));
      await new Promise((r) => setTimeout(r, 700)); // APPLY_DELAY
    };
    await typeDay(addDays(now, 367));
    await user.click(within(form).getByRole("button", { name: "Create token" }));
    expect(await within(form).findByText("The expiry date can be at most 366 days ahead.")).toBeTruthy();
    await typeDay(now);
    expect(await within(form).findByText("The expiry date must be tomorrow or later.")).toBeTruthy();
    expect(seen.some((r) => r.method === "POST")).toBe(false);

    // the furthest day allowed goes through, inside the server's window
    await typeDay(addDays(now, 366));
    await user.click(within(form).getByRole("button", { name: "Create token" }));
    await screen.findByTestId("token-secret-panel");
    const post = seen.find((r) => r.method === "POST")!;
    const body = post.body as { name: string; permissions: string[]; expires_at: string };
    expect(body.name).toBe("ci");
    expect(body.permissions).toEqual(["orders.view"]);
    expect(body.expires_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const ahead = new Date(body.expires_at).getTime() - Date.now();
    expect(ahead).toBeGreaterThan(365 * 86400_000);
    expect(ahead).toBeLessThanOrEqual(366 * 86400_000);
  }, 30000);

  it("shows the secret once, with a warning and a copy button, then never again", async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const seen = tokenServer(["orders.view", "audit.view"]);
    wrap(<TokensSection page={1} onPage={() => {}} />);
    await userEvent.click(await screen.findByRole("button", { name: "New token" }));
    const form = await screen.findByTestId("token-create");
    await userEvent.type(within(form).getByLabelText("Name"), "nightly export");
    await userEvent.click(await within(form).findByRole("checkbox", { name: /audit\.view/ }));
    await userEvent.click(within(form).getByRole("button", { name: "Create token" }));

    const panel = await screen.findByTestId("token-secret-panel");
    expect(screen.queryByTestId("token-create")).toBeNull();
    expect(within(panel).getByRole("heading").textContent).toBe("Token “nightly export” created");
    expect(within(panel).getByRole("alert").textContent).toMatch(/you will not see it again/);
    const secret = within(panel).getByLabelText("Token") as HTMLInputElement;
    expect(secret.value).toBe("pk_a1b2c3SECRETxyz0123456789");
    expect(secret.readOnly).toBe(true);
    await userEvent.click(within(panel).getByRole("button", { name: "Copy token" }));
    expect(writeText).toHaveBeenCalledWith("pk_a1b2c3SECRETxyz0123456789");
    expect(await screen.findByText("Token copied.")).toBeTruthy();
    // the list shows the new token by its prefix, never its secret
    const row = await waitFor(() => {
      const r = document.querySelector('tr[data-token-id="1"]');
      if (!r) throw new Error("no row yet");
      return r as HTMLElement;
    });
    expect(row.textContent).toContain("pk_a1b2c3…");
    expect(row.textContent).not.toContain("SECRET");
    expect(within(row).getByTestId("token-status").textContent).toBe("Active");

    await userEvent.click(within(panel).getByRole("button", { name: "I copied it, close" }));
    expect(screen.queryByTestId("token-secret-panel")).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "New token" }));
    expect(document.body.innerHTML).not.toContain("SECRET");
    expect(seen.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("shows the server's refusals under the matching fields", async () => {
    tokenServer(["orders.view"], () => validation({ name: "must be 1 to 100 characters", "permissions[0]": "you do not hold \"orders.view\", so a token of yours cannot either", expires_at: "must be at most 366 days ahead" }));
    wrap(<TokensSection page={1} onPage={() => {}} />);
    await userEvent.click(await screen.findByRole("button", { name: "New token" }));
    const form = await screen.findByTestId("token-create");
    await userEvent.type(within(form).getByLabelText("Name"), "x");
    await userEvent.click(await within(form).findByRole("checkbox", { name: /orders\.view/ }));
    await userEvent.click(within(form).getByRole("button", { name: "Create token" }));
    const name = within(form).getByLabelText("Name");
    expect(await within(form).findByText("must be 1 to 100 characters")).toBeTruthy();
    expect(name.getAttribute("aria-invalid")).toBe("true");
    expect(within(form).getByText(/you do not hold "orders.view"/)).toBeTruthy();
    expect(within(form).getByLabelText("Expiry date").getAttribute("aria-invalid")).toBe("true");
    expect(within(form).getByText("must be at most 366 days ahead")).toBeTruthy();
    expect(screen.queryByTestId("token-secret-panel")).toBeNull();
  });

  it("revokes a token after a confirmation", async () => {
    const future = new Date(Date.now() + 86400_000).toISOString();
    const token = { id: 4, user_id: 7, name: "deploy", prefix: "pk_zz9911", permissions: ["orders.view"], created_at: "2026-11-01T10:00:00Z", expires_at: future, last_used_at: null, revoked_at: null as string | null };
    const seen = serve((req, path) => {
      if (path === "/api/tokens" && req.method === "GET") return { status: 200, body: page([token]) };
      if (path === "/api/tokens/4" && req.method === "DELETE") {
        token.revoked_at = new Date().toISOString();
        return { status: 204 };
      }
    });
    wrap(<TokensSection page={1} onPage={() => {}} />);
    await userEvent.click(await screen.findByRole("button", { name: "Revoke: deploy" }));
    expect(await screen.findByText("Revoke “deploy”?")).toBeTruthy();
    expect(seen.some((r) => r.method === "DELETE")).toBe(false);
    await userEvent.click(screen.getByTestId("confirm"));
    await waitFor(() => expect(document.querySelector('tr[data-token-id="4"]')?.getAttribute("data-status")).toBe("revoked"));
    expect(seen.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual(["/api/tokens/4"]);
    expect(screen.queryByRole("button", { name: "Revoke: deploy" })).toBeNull();
  });
});

describe("the password form", () => {
  const passwordServer = (answer: () => Answer) =>
    serve((req, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me([]) };
      if (path === "/api/auth/password") return answer();
    });

  it("checks that the new password was typed the same twice before sending", async () => {
    const seen = passwordServer(() => ({ status: 204 }));
    wrap(<ChangePasswordForm />);
    expect(screen.getByText("At least 8 characters; 15 or more recommended.")).toBeTruthy();
    await userEvent.type(screen.getByLabelText("New password"), "a long new password");
    await userEvent.type(screen.getByLabelText("Repeat the new password"), "a long new passwort");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText("The two passwords do not match.")).toBeTruthy();
    expect(screen.getByLabelText("Repeat the new password").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Required")).toBeTruthy(); // the current password
    expect(seen.some((r) => r.path === "/api/auth/password")).toBe(false);
  });

  it("shows the server's field errors under the fields, in the user's language", async () => {
    let answer = validation({ current_password: "is wrong" }, { current_password: "wrong_password" });
    const seen = passwordServer(() => answer);
    wrap(<ChangePasswordForm />);
    await userEvent.type(screen.getByLabelText("Current password"), "not it at all");
    await userEvent.type(screen.getByLabelText("New password"), "password123");
    await userEvent.type(screen.getByLabelText("Repeat the new password"), "password123");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText("The current password is wrong.")).toBeTruthy();
    expect(screen.getByLabelText("Current password").getAttribute("aria-invalid")).toBe("true");
    expect(seen.find((r) => r.path === "/api/auth/password")!.body).toEqual({ current_password: "not it at all", new_password: "password123" });

    // told apart by the reason, whatever the wording
    answer = validation({ new_password: "any wording" }, { new_password: "common" });
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText("This is one of the most common passwords; choose another.")).toBeTruthy();
    expect(screen.getByLabelText("New password").getAttribute("aria-invalid")).toBe("true");

    // a reason the form does not know is shown as the server wrote it
    answer = validation({ new_password: "must not contain the word pishkhan" });
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText("must not contain the word pishkhan")).toBeTruthy();
  });

  it("says that the other sessions were signed out, and empties the form", async () => {
    passwordServer(() => ({ status: 204 }));
    wrap(<ChangePasswordForm />);
    await userEvent.type(screen.getByLabelText("Current password"), "the old password");
    await userEvent.type(screen.getByLabelText("New password"), "a brand new passphrase");
    await userEvent.type(screen.getByLabelText("Repeat the new password"), "a brand new passphrase");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect((await screen.findByRole("status")).textContent).toMatch(/other sessions were signed out/);
    expect((screen.getByLabelText("Current password") as HTMLInputElement).value).toBe("");
  });

  it("speaks Persian in fa", async () => {
    passwordServer(() => validation({ current_password: "is wrong" }, { current_password: "wrong_password" }));
    wrap(<ChangePasswordForm />, "fa");
    expect(screen.getByText("دست‌کم ۸ نویسه؛ ۱۵ نویسه یا بیشتر توصیه می‌شود.")).toBeTruthy();
    await userEvent.type(screen.getByLabelText("گذرواژهٔ فعلی"), "x");
    await userEvent.type(screen.getByLabelText("گذرواژهٔ جدید"), "a brand new passphrase");
    await userEvent.type(screen.getByLabelText("تکرار گذرواژهٔ جدید"), "a brand new passphrase");
    await userEvent.click(screen.getByRole("button", { name: "تغییر گذرواژه" }));
    expect(await screen.findByText("گذرواژهٔ فعلی نادرست است.")).toBeTruthy();
  });
});

describe("the sessions table", () => {
  const sessions = [
    { id: 12, user: { id: 7, email: "sara@example.com" }, ip: "127.0.0.1", user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", created_at: "2026-11-28T09:30:00Z", last_seen_at: "2026-11-28T10:00:00Z", current: true },
    { id: 9, user: { id: 3, email: "reza@example.com" }, ip: "10.0.0.8", user_agent: "curl/8.5.0", created_at: "2026-11-27T09:30:00Z", last_seen_at: "2026-11-27T10:00:00Z", current: false },
  ];

  it("marks this device, names devices readably, and adds a user column for everyone's sessions", async () => {
    const seen = serve((_, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["users.manage"]) };
      if (path === "/api/sessions") return { status: 200, body: page(sessions) };
    });
    const onChange = vi.fn();
    const { rerender } = wrap(<SessionsSection all={false} page={1} onChange={onChange} />);
    const current = await screen.findByTestId("this-device");
    expect(current.textContent).toBe("This device");
    expect(current.closest("tr")!.getAttribute("data-session-id")).toBe("12");
    expect(screen.getByText("Chrome 131 on Windows")).toBeTruthy();
    expect(screen.getByText("curl 8.5")).toBeTruthy();
    expect(screen.queryByRole("columnheader", { name: "User" })).toBeNull();
    expect(seen.find((r) => r.path === "/api/sessions")!.search).not.toContain("all=");

    await userEvent.click(screen.getByRole("switch", { name: "Show all users' sessions" }));
    expect(onChange).toHaveBeenCalledWith({ all: true, page: 1 });
    rerender(<QueryClientProvider client={makeQueryClient()}><I18nProvider><ToastProvider><SessionsSection all page={1} onChange={onChange} /></ToastProvider></I18nProvider></QueryClientProvider>);
    expect(await screen.findByRole("columnheader", { name: "User" })).toBeTruthy();
    expect(await screen.findByText("reza@example.com")).toBeTruthy();
    await waitFor(() => expect(seen.some((r) => r.path === "/api/sessions" && r.search.includes("all=true"))).toBe(true));
  });

  it("offers no toggle without users.manage and never asks for everyone's", async () => {
    const seen = serve((_, path) => {
      if (path === "/api/auth/me") return { status: 200, body: me(["orders.view"]) };
      if (path === "/api/sessions") return { status: 200, body: page(sessions.slice(0, 1)) };
    });
    wrap(<SessionsSection all page={1} onChange={() => {}} />);
    await screen.findByTestId("this-device");
    expect(screen.queryByRole("switch")).toBeNull();
    expect(seen.filter((r) => r.path === "/api/sessions").every((r) => !r.search.includes("all="))).toBe(true);
  });
});

describe("account helpers", () => {
  it("tell a token's status", () => {
    const now = new Date("2026-11-28T10:00:00Z");
    expect(tokenStatus({ revoked_at: null, expires_at: "2026-12-01T00:00:00Z" }, now)).toBe("active");
    expect(tokenStatus({ revoked_at: null, expires_at: "2026-11-28T10:00:00Z" }, now)).toBe("expired");
    expect(tokenStatus({ revoked_at: "2026-11-20T00:00:00Z", expires_at: "2026-12-01T00:00:00Z" }, now)).toBe("revoked");
  });

  it("keep an expiry inside the server's window", () => {
    const now = new Date(2026, 10, 28, 14, 30);
    const b = expiryBounds(now);
    expect(b).toEqual({ min: "2026-11-29", max: "2027-11-29", initial: "2026-12-28" });
    // the chosen day at the current time of day: 30 days is 30 days
    expect(expiryInstant(b.initial, now)!.getTime() - now.getTime()).toBe(30 * 86400_000);
    expect(expiryInstant(b.max, now)!.getTime() - now.getTime()).toBeLessThan(366 * 86400_000);
    expect(expiryInstant("2020-01-01", now)!.getTime()).toBeGreaterThan(now.getTime());
    expect(expiryInstant("nope", now)).toBeUndefined();
  });

  it("map server field names onto the form", () => {
    expect(tokenFieldOf("permissions[3]")).toBe("permissions");
    expect(tokenFieldOf("permissions")).toBe("permissions");
    expect(tokenFieldOf("expires_at")).toBe("expires");
    expect(tokenFieldOf("name")).toBe("name");
    expect(tokenFieldOf("other")).toBeUndefined();
  });

  it("name devices from user agents", () => {
    expect(describeUserAgent("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15")).toEqual({ browser: "Safari 17", os: "macOS" });
    expect(describeUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")).toEqual({ browser: "Firefox 133", os: "Linux" });
    expect(describeUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")).toEqual({ browser: "Safari 17", os: "iPhone" });
    expect(describeUserAgent("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36")).toEqual({ browser: "Samsung Internet 25", os: "Android" });
    expect(describeUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")).toEqual({ browser: "Edge 131", os: "Windows" });
    expect(describeUserAgent("")).toEqual({ browser: "", os: "" });
  });

  it("keep the page, the other table's page and ?all=1 in the URL", () => {
    const v = accountViewFromSearch(new URLSearchParams("tokens_page=2&all=1&sessions_page=3"));
    expect(v).toEqual({ tokensPage: 2, sessionsPage: 3, all: true });
    expect(accountViewToSearch(v)).toBe("tokens_page=2&all=1&sessions_page=3");
    expect(accountViewFromSearch(new URLSearchParams("all=yes&tokens_page=0"))).toEqual({ tokensPage: 1, sessionsPage: 1, all: false });
    expect(accountViewToSearch({ tokensPage: 1, sessionsPage: 1, all: false })).toBe("");
  });
});
