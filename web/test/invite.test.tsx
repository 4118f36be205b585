import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AcceptInvite } from "@/features/invite/components/AcceptInvite";
import { InviteUserForm } from "@/features/users/components/InviteUserForm";
import { I18nProvider } from "@/lib/i18n";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";

vi.mock("next/navigation", () => ({ useRouter: () => ({ push: vi.fn(), replace: vi.fn() }), usePathname: () => "/" }));

type Route = (req: Request, body: unknown) => { status: number; body?: unknown } | undefined;

function serve(route: Route) {
  const seen: { method: string; path: string; query: string; body: unknown }[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const text = req.method === "GET" ? "" : await req.clone().text();
    const body = text ? JSON.parse(text) : undefined;
    seen.push({ method: req.method, path: url.pathname, query: url.search, body });
    const res = route(req, body) ?? { status: 404, body: { status: "error", code: "NOT_FOUND", message: "this link is invalid, used or expired", request_id: "r" } };
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers: { "Content-Type": "application/json" } });
  }));
  return seen;
}

function wrap(ui: React.ReactNode) {
  window.localStorage.setItem("pishkhan.locale", "en");
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <I18nProvider><ToastProvider>{ui}</ToastProvider></I18nProvider>
    </QueryClientProvider>,
  );
}

const info = { email: "new.person@example.com", name: "New Person", expires_at: "2026-12-01T09:30:00Z" };
const inviteRoute: Route = (req) => {
  const url = new URL(req.url);
  if (url.pathname === "/api/auth/invite" && req.method === "GET" && url.searchParams.get("token") === "good") return { status: 200, body: info };
  return undefined;
};

afterEach(() => vi.unstubAllGlobals());

describe("accepting an invite", () => {
  it("shows whose account it is and refuses two different passwords without asking the server", async () => {
    const seen = serve(inviteRoute);
    wrap(<AcceptInvite token="good" />);
    expect((await screen.findByTestId("invite-email")).textContent).toBe("new.person@example.com");
    expect(screen.getByText("New Person")).toBeTruthy();
    expect(screen.getByText("At least 8 characters; 15 or more recommended.")).toBeTruthy();
    await userEvent.type(screen.getByLabelText("Password"), "a long enough passphrase");
    await userEvent.type(screen.getByLabelText("Repeat the password"), "a long enough passphrasf");
    await userEvent.click(screen.getByRole("button", { name: "Set password" }));
    expect(await screen.findByText("The two passwords do not match.")).toBeTruthy();
    expect(screen.getByLabelText("Repeat the password").getAttribute("aria-invalid")).toBe("true");
    expect(seen.filter((r) => r.method === "POST")).toHaveLength(0);
  });

  it("refuses a short password before asking the server", async () => {
    const seen = serve(inviteRoute);
    wrap(<AcceptInvite token="good" />);
    await userEvent.type(await screen.findByLabelText("Password"), "short");
    await userEvent.type(screen.getByLabelText("Repeat the password"), "short");
    await userEvent.click(screen.getByRole("button", { name: "Set password" }));
    expect(await screen.findByText("The password must be at least 8 characters.")).toBeTruthy();
    expect(seen.filter((r) => r.method === "POST")).toHaveLength(0);
  });

  it("shows the server's refusal under the password field, then succeeds with a better one", async () => {
    let attempts = 0;
    const seen = serve((req, body) => {
      if (req.method === "POST") {
        attempts++;
        return (body as { password: string }).password === "password123"
          ? { status: 422, body: { status: "error", code: "VALIDATION_FAILED", message: "invalid", details: { fields: { password: "is one of the most common passwords; choose another" }, field_reasons: { password: "common" } }, request_id: "r" } }
          : { status: 204 };
      }
      return inviteRoute(req, body);
    });
    wrap(<AcceptInvite token="good" />);
    const pw = await screen.findByLabelText("Password");
    await userEvent.type(pw, "password123");
    await userEvent.type(screen.getByLabelText("Repeat the password"), "password123");
    await userEvent.click(screen.getByRole("button", { name: "Set password" }));
    expect(await screen.findByText("This is one of the most common passwords; choose another.")).toBeTruthy();
    expect(pw.getAttribute("aria-invalid")).toBe("true");
    expect(pw.getAttribute("aria-describedby")).toBeTruthy();
    expect(document.getElementById(pw.getAttribute("aria-describedby")!)?.textContent).toBe("This is one of the most common passwords; choose another.");

    await userEvent.clear(pw);
    await userEvent.type(pw, "quiet violet harbour lamps");
    await userEvent.clear(screen.getByLabelText("Repeat the password"));
    await userEvent.type(screen.getByLabelText("Repeat the password"), "quiet violet harbour lamps");
    await userEvent.click(screen.getByRole("button", { name: "Set password" }));
    expect((await screen.findByTestId("invite-done")).textContent).toMatch(/Your password is set/);
    expect(screen.getByRole("link", { name: "Go to the login page" }).getAttribute("href")).toBe("/login");
    expect(attempts).toBe(2);
    expect(seen.filter((r) => r.method === "POST").map((r) => r.body)).toEqual([
      { token: "good", password: "password123" },
      { token: "good", password: "quiet violet harbour lamps" },
    ]);
  });

  it("says clearly when the link is invalid, used or expired", async () => {
    serve(() => undefined);
    wrap(<AcceptInvite token="used-up" />);
    expect((await screen.findByTestId("invite-invalid")).textContent).toMatch(/not valid.*already used or has expired/s);
    expect(screen.queryByLabelText("Password")).toBeNull();
  });

  it("says the same without a token at all, asking nothing", async () => {
    const seen = serve(() => undefined);
    wrap(<AcceptInvite token="" />);
    expect(await screen.findByTestId("invite-invalid")).toBeTruthy();
    expect(seen).toHaveLength(0);
  });
});

describe("inviting a user", () => {
  const me = { id: 1, email: "boss@example.com", name: "Boss", is_superuser: false, roles: [], permissions: ["users.view", "users.manage", "orders.view"], csrf_token: "c", totp_enabled: false, totp_setup_required: false };
  const roles = [
    { id: 1, name: "Administrator", description: "Every permission", builtin: true, permissions: ["orders.view", "users.manage", "users.view", "roles.manage"], require_totp: false, users_count: 1, created_at: "2026-01-01T00:00:00Z" },
    { id: 5, name: "Viewer", description: "Reads orders", builtin: true, permissions: ["orders.view"], require_totp: false, users_count: 0, created_at: "2026-01-01T00:00:00Z" },
  ];
  const perms = [
    { name: "orders.view", area: "orders", description: "See orders" },
    { name: "roles.manage", area: "roles", description: "Create and edit roles" },
    { name: "users.manage", area: "users", description: "Manage users" },
    { name: "users.view", area: "users", description: "See users" },
  ];
  const base: Route = (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/api/auth/me") return { status: 200, body: me };
    if (path === "/api/roles") return { status: 200, body: { items: roles, page: 1, page_size: 100, total: 2, total_pages: 1 } };
    if (path === "/api/permissions") return { status: 200, body: { items: perms } };
  };

  it("disables roles the admin could not grant, says why, and shows the one-time link after creating", async () => {
    const seen = serve((req, body) => {
      if (req.method === "POST" && new URL(req.url).pathname === "/api/users") {
        return { status: 201, body: { user: { id: 42, email: "new@example.com", name: "New", is_superuser: false, is_active: true, invited: true, roles: [{ id: 5, name: "Viewer" }], created_at: "2026-11-28T09:00:00Z", updated_at: "2026-11-28T09:00:00Z" },
          invite: { url: "http://panel.example/invite?token=secret-token", expires_at: "2026-12-01T09:00:00Z", emailed: false } } };
      }
      return base(req, body);
    });
    wrap(<InviteUserForm />);
    const admin = await screen.findByRole("checkbox", { name: /Administrator/ });
    expect((admin as HTMLInputElement).disabled).toBe(true);
    expect(document.querySelector('[data-role-option="Administrator"]')?.textContent).toMatch(/You can't grant this role.*roles\.manage/);
    expect(screen.queryByRole("checkbox", { name: /Superuser/ })).toBeNull(); // only a superuser makes superusers
    await userEvent.type(screen.getByLabelText("Email"), "new@example.com");
    await userEvent.type(screen.getByLabelText("Name"), "New");
    await userEvent.click(screen.getByRole("checkbox", { name: /Viewer/ }));
    await userEvent.click(screen.getByRole("button", { name: "Create invitation" }));
    const link = (await screen.findByTestId("invite-url")) as HTMLInputElement;
    expect(link.value).toBe("http://panel.example/invite?token=secret-token");
    expect(screen.getByRole("alert").textContent).toMatch(/shown only this once/);
    expect(seen.find((r) => r.method === "POST")?.body).toEqual({ email: "new@example.com", name: "New", role_ids: [5] });
  });

  it("says the link was emailed when it was, without showing it", async () => {
    serve((req, body) => {
      if (req.method === "POST") return { status: 201, body: { user: { id: 43, email: "mail@example.com", name: "", is_superuser: false, is_active: true, invited: true, roles: [], created_at: "2026-11-28T09:00:00Z", updated_at: "2026-11-28T09:00:00Z" }, invite: { expires_at: "2026-12-01T09:00:00Z", emailed: true } } };
      return base(req, body);
    });
    wrap(<InviteUserForm />);
    await userEvent.type(await screen.findByLabelText("Email"), "mail@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Create invitation" }));
    expect((await screen.findByTestId("invite-result")).textContent).toMatch(/emailed to mail@example\.com/);
    expect(screen.queryByTestId("invite-url")).toBeNull();
  });

  it("puts the server's field errors under the email and under the refused role", async () => {
    serve((req, body) => {
      if (req.method === "POST") return { status: 422, body: { status: "error", code: "VALIDATION_FAILED", message: "invalid", request_id: "r",
        details: { fields: { email: "is already taken", "role_ids[0]": "this role holds \"orders.view\", which you do not hold, so you cannot grant it" },
          field_reasons: { email: "taken", "role_ids[0]": "not_held" } } } };
      return base(req, body);
    });
    wrap(<InviteUserForm />);
    await userEvent.type(await screen.findByLabelText("Email"), "taken@example.com");
    await userEvent.click(screen.getByRole("checkbox", { name: /Viewer/ }));
    await userEvent.click(screen.getByRole("button", { name: "Create invitation" }));
    expect(await screen.findByText("This email is already taken.")).toBeTruthy();
    await waitFor(() => expect(document.querySelector('[data-role-option="Viewer"]')?.textContent).toMatch(/This role holds permissions you don't have/));
  });
});
