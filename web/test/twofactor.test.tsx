import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LoginForm } from "@/features/auth/components/LoginForm";
import { groupSecret } from "@/features/twofactor/api";
import { TwoFactorSettings } from "@/features/twofactor/components/TwoFactorSettings";
import { I18nProvider } from "@/lib/i18n";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";

const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const otpauth = `otpauth://totp/Pishkhan:sara%40example.com?algorithm=SHA1&digits=6&issuer=Pishkhan&period=30&secret=${secret}`;
const codes = Array.from({ length: 10 }, (_, i) => `abcd${i}-efgh${i}`);

type Route = (req: Request) => { status: number; body?: unknown } | undefined;

/** A fetch standing in for the server: each request goes to the first route that answers it; every request is kept. */
function serve(route: Route) {
  const seen: { method: string; path: string; body: unknown }[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    const text = req.method === "GET" ? "" : await req.clone().text();
    seen.push({ method: req.method, path, body: text ? JSON.parse(text) : undefined });
    const res = route(req) ?? { status: 404, body: { code: "NOT_FOUND", message: "no route" } };
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers: { "Content-Type": "application/json" } });
  }));
  return seen;
}

const me = (over: object = {}) => ({ id: 7, email: "sara@example.com", name: "Sara", is_superuser: false, roles: [], permissions: [], csrf_token: "c", totp_enabled: false, totp_setup_required: false, ...over });

function wrap(locale: "en" | "fa" = "en") {
  window.localStorage.setItem("pishkhan.locale", locale);
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <I18nProvider><ToastProvider><TwoFactorSettings /></ToastProvider></I18nProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("two-factor enrolment", () => {
  it("draws the QR code from the otpauth URL, confirms with the code and shows the recovery codes once", async () => {
    let enabled = false;
    const seen = serve((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/auth/me") return { status: 200, body: me({ totp_setup_required: !enabled, totp_enabled: enabled }) };
      if (path === "/api/auth/totp") return { status: 200, body: { enabled, required: true, recovery_codes_left: enabled ? 10 : 0 } };
      if (path === "/api/auth/totp/setup") return { status: 200, body: { secret, otpauth_url: otpauth } };
      if (path === "/api/auth/totp/confirm") {
        enabled = true;
        return { status: 200, body: { recovery_codes: codes } };
      }
    });
    wrap();
    // a role requires it: the page says why the user is here
    expect((await screen.findByTestId("totp-required")).textContent).toMatch(/requires two-factor authentication/);
    expect(screen.getByTestId("totp-state").textContent).toBe("Off");
    // starting needs the password; without one nothing is sent
    await userEvent.click(screen.getByRole("button", { name: "Start set-up" }));
    expect(await screen.findByText("Required")).toBeTruthy();
    expect(seen.some((r) => r.path === "/api/auth/totp/setup")).toBe(false);
    await userEvent.type(screen.getByLabelText("Current password"), "my password");
    await userEvent.click(screen.getByRole("button", { name: "Start set-up" }));
    expect(seen.find((r) => r.path === "/api/auth/totp/setup")!.body).toEqual({ password: "my password" });

    // the QR code is drawn in the page (an svg), from the otpauth URL
    const qr = await screen.findByRole("img", { name: "QR code to add Pishkhan to your authenticator app" });
    expect(qr.tagName.toLowerCase()).toBe("svg");
    expect(qr.getAttribute("data-qr")).toBe(otpauth);
    expect((qr.querySelector("path")?.getAttribute("d") ?? "").split("h1v1h-1z").length).toBeGreaterThan(200);
    // and the key for typing in by hand, grouped and left to right
    const key = screen.getByTestId("totp-secret");
    expect(key.textContent).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
    expect(key.getAttribute("dir")).toBe("ltr");

    // a code that is not six digits is refused before it is sent
    const field = screen.getByLabelText("6-digit code");
    await userEvent.type(field, "12");
    await userEvent.click(screen.getByRole("button", { name: "Confirm and turn on" }));
    expect(await screen.findByText("The code must be 6 digits.")).toBeTruthy();
    expect(seen.some((r) => r.path === "/api/auth/totp/confirm")).toBe(false);

    await userEvent.clear(field);
    await userEvent.type(field, "123 456");
    await userEvent.click(screen.getByRole("button", { name: "Confirm and turn on" }));
    await screen.findByTestId("recovery-codes");
    const confirm = seen.find((r) => r.path === "/api/auth/totp/confirm")!;
    expect(confirm.method).toBe("POST");
    expect(confirm.body).toEqual({ code: "123456" });

    // the ten codes, once; closing needs the "saved" confirmation
    expect(document.querySelectorAll("[data-code]")).toHaveLength(10);
    expect(screen.getByText(codes[0])).toBeTruthy();
    expect(screen.getByRole("button", { name: "Download .txt" })).toBeTruthy();
    const done = screen.getByRole("button", { name: "I saved them" }) as HTMLButtonElement;
    expect(done.disabled).toBe(true);
    await userEvent.click(screen.getByLabelText("I have saved these codes somewhere safe."));
    expect(done.disabled).toBe(false);
    await userEvent.click(done);
    await waitFor(() => expect(screen.getByTestId("totp-state").textContent).toBe("On"));
    expect(screen.queryByText(codes[0])).toBeNull();
    expect(screen.queryByTestId("totp-required")).toBeNull();
    // nothing brings them back: only a new set (with the password) would
    expect(seen.filter((r) => r.path === "/api/auth/totp/confirm")).toHaveLength(1);
  });

  it("takes a code typed in Persian digits and shows the server's refusal under the field", async () => {
    const seen = serve((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/auth/me") return { status: 200, body: me() };
      if (path === "/api/auth/totp") return { status: 200, body: { enabled: false, required: false, recovery_codes_left: 0 } };
      if (path === "/api/auth/totp/setup") return { status: 200, body: { secret, otpauth_url: otpauth } };
      if (path === "/api/auth/totp/confirm")
        return { status: 422, body: { code: "VALIDATION_FAILED", message: "invalid", details: { fields: { code: "is not the code your app shows now" } }, request_id: "r" } };
    });
    wrap();
    await userEvent.type(await screen.findByLabelText("Current password"), "my password");
    await userEvent.click(screen.getByRole("button", { name: "Start set-up" }));
    await userEvent.type(await screen.findByLabelText("6-digit code"), "۱۲۳۴۵۶");
    await userEvent.click(screen.getByRole("button", { name: "Confirm and turn on" }));
    expect(await screen.findByText(/That code is not right/)).toBeTruthy();
    expect(seen.find((r) => r.path === "/api/auth/totp/confirm")!.body).toEqual({ code: "123456" });
    expect(screen.queryByTestId("recovery-codes")).toBeNull();
  });

  it("explains a 409 when turning it off, and a wrong password under the field", async () => {
    let answer = {
      status: 422, body: { code: "VALIDATION_FAILED", message: "invalid", details: { fields: { password: "is wrong" }, field_reasons: { password: "wrong_password" } }, request_id: "r" },
    } as { status: number; body: unknown };
    serve((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/api/auth/me") return { status: 200, body: me({ totp_enabled: true }) };
      if (path === "/api/auth/totp") return { status: 200, body: { enabled: true, required: false, recovery_codes_left: 2 } };
      if (path === "/api/auth/totp/disable") return answer;
    });
    wrap();
    expect((await screen.findByTestId("codes-left")).textContent).toBe("2");
    await userEvent.click(screen.getByRole("button", { name: "Turn off two-factor authentication" }));
    await userEvent.type(screen.getByLabelText("Current password"), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Turn off two-factor authentication" }));
    expect(await screen.findByText("The password is wrong.")).toBeTruthy();
    answer = { status: 409, body: { code: "CONFLICT", message: "refused", details: { reason: "totp_required_by_role" }, request_id: "r" } };
    await userEvent.click(screen.getByRole("button", { name: "Turn off two-factor authentication" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/ask an administrator to lift the requirement/);
    // past the limit of wrong passwords: said in the user's words
    answer = { status: 429, body: { code: "RATE_LIMITED", message: "too many wrong passwords; try again later", request_id: "r" } };
    await userEvent.click(screen.getByRole("button", { name: "Turn off two-factor authentication" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Too many wrong attempts. Wait a few minutes and try again.");
  });

  it("groups a secret in fours", () => {
    expect(groupSecret("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
  });
});

describe("login with a second factor", () => {
  it("asks for the code after the password, resubmits with it, and shows a wrong one under the field", async () => {
    const answers = [
      { status: 401, body: { code: "TOTP_REQUIRED", message: "enter the code", request_id: "r" } },
      { status: 401, body: { code: "INVALID_TOTP", message: "the code is wrong", request_id: "r" } },
      { status: 200, body: { user: me({ totp_enabled: true }), csrf_token: "c" } },
    ];
    const seen = serve(() => answers.shift());
    const done = vi.fn();
    window.localStorage.setItem("pishkhan.locale", "en");
    render(<QueryClientProvider client={makeQueryClient()}><I18nProvider><LoginForm onDone={done} /></I18nProvider></QueryClientProvider>);
    await userEvent.type(await screen.findByLabelText("Email"), "sara@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "a long password");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    const code = await screen.findByLabelText("Two-factor code");
    expect(screen.getByText("The code from your app, or a recovery code")).toBeTruthy();
    expect(seen[0].body).toEqual({ email: "sara@example.com", password: "a long password" });

    await userEvent.type(code, "000000");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByText("The code is wrong or was already used; wait for the next one.")).toBeTruthy();
    expect(code.getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByRole("alert")).toBeNull(); // shown under the field, not twice
    expect(seen[1].body).toEqual({ email: "sara@example.com", password: "a long password", totp: "000000" });

    await userEvent.clear(code);
    await userEvent.type(code, "abcde-fghij");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(seen[2].body).toMatchObject({ totp: "abcde-fghij" });
  });
});
