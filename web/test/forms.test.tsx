import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CreateOrderForm } from "@/features/orders/components/CreateOrderForm";
import { LoginForm } from "@/features/auth/components/LoginForm";
import { I18nProvider } from "@/lib/i18n";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";

vi.mock("next/navigation", () => ({ useRouter: () => ({ push: vi.fn(), replace: vi.fn() }) }));

function wrap(ui: React.ReactNode) {
  window.localStorage.setItem("pishkhan.locale", "en");
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <I18nProvider><ToastProvider>{ui}</ToastProvider></I18nProvider>
    </QueryClientProvider>,
  );
}

function mockFetch(status: number, body: unknown) {
  const fetchMock = vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

afterEach(() => vi.unstubAllGlobals());

describe("create order form", () => {
  it("shows client-side errors without calling the server", async () => {
    const fetchMock = mockFetch(201, {});
    wrap(<CreateOrderForm />);
    await userEvent.click(await screen.findByRole("button", { name: "Create order" }));
    expect(await screen.findAllByText("Required")).toHaveLength(4);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("shows the server's validation messages under the matching fields", async () => {
    const fetchMock = mockFetch(422, {
      status: "error", code: "VALIDATION_FAILED", message: "the request has invalid fields",
      details: { fields: { "items[0].unit_price": "is too large", "customer.email": "must be an email address like name@example.com" } }, request_id: "r1",
    });
    wrap(<CreateOrderForm />);
    await userEvent.type(await screen.findByLabelText("Customer name"), "Sara");
    await userEvent.type(screen.getByLabelText("Customer email"), "sara@example.com");
    await userEvent.type(screen.getByLabelText("SKU"), "TEA-1");
    await userEvent.type(screen.getByLabelText("Name"), "Tea");
    await userEvent.click(screen.getByRole("button", { name: "Create order" }));
    expect(await screen.findByText("is too large")).toBeTruthy();
    expect(screen.getByText("must be an email address like name@example.com")).toBeTruthy();
    const req = (fetchMock.mock.calls[0] as unknown as [Request])[0];
    expect(req.method).toBe("POST");
    expect(req.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await req.json()).toMatchObject({ customer: { name: "Sara", email: "sara@example.com" }, items: [{ sku: "TEA-1", name: "Tea", quantity: 1, unit_price: 0 }], currency: "IRR", shipping: 0 });
  });
});

describe("login form", () => {
  it("asks for the second factor only when the server requires it", async () => {
    mockFetch(401, { status: "error", code: "TOTP_REQUIRED", message: "enter the code", request_id: "r" });
    wrap(<LoginForm onDone={() => {}} />);
    expect(screen.queryByLabelText("Two-factor code")).toBeNull();
    await userEvent.type(await screen.findByLabelText("Email"), "a@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "secret-password");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await waitFor(() => expect(screen.getByLabelText("Two-factor code")).toBeTruthy());
  });

  it("says plainly when the password is wrong", async () => {
    mockFetch(401, { status: "error", code: "INVALID_CREDENTIALS", message: "the email or password is wrong", request_id: "r" });
    wrap(<LoginForm onDone={() => {}} />);
    await userEvent.type(await screen.findByLabelText("Email"), "a@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "nope-nope");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("The email or password is wrong.");
  });

  it("moves focus to what explains a failed attempt, never the page top", async () => {
    mockFetch(401, { status: "error", code: "INVALID_CREDENTIALS", message: "the email or password is wrong", request_id: "r" });
    wrap(<LoginForm onDone={() => {}} />);
    await userEvent.type(await screen.findByLabelText("Email"), "a@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "nope-nope");
    await userEvent.keyboard("{Enter}");
    const alert = await screen.findByRole("alert");
    await waitFor(() => expect(document.activeElement).toBe(alert));
  });

  it("moves focus to the field the server names", async () => {
    mockFetch(422, { status: "error", code: "VALIDATION_FAILED", message: "invalid", request_id: "r", details: { fields: { password: "is too short" } } });
    wrap(<LoginForm onDone={() => {}} />);
    await userEvent.type(await screen.findByLabelText("Email"), "a@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "x");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("Password")));
  });
});
