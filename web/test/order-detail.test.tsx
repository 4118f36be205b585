import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { OrderDetail } from "@/features/orders/components/OrderDetail";
import { I18nProvider } from "@/lib/i18n";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";

afterEach(() => vi.unstubAllGlobals());

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

/** What the fake server answers as allowed_next (the real one takes it from internal/orders/model.go). */
const machine: Record<string, string[]> = {
  pending: ["paid", "cancelled"], paid: ["processing", "refunded", "cancelled"], processing: ["shipped", "cancelled"],
  shipped: ["delivered"], delivered: ["refunded"], cancelled: [], refunded: [],
};

/** A server holding one order whose status a PUT changes; it records every PUT. */
function serve(initial: string, allowedNext: (status: string) => string[] | undefined = (st) => machine[st]) {
  let status = initial;
  const puts: unknown[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    if (path === "/api/auth/me") return json(200, { id: 1, email: "a@example.com", name: "A", is_superuser: true, permissions: [], csrf_token: "c" });
    if (path === "/api/orders/7/history") return json(200, { items: [{ id: 1, from: null, to: "pending", at: "2026-11-28T10:00:00Z", actor: null, note: "" }] });
    if (path === "/api/orders/7/status" && req.method === "PUT") {
      const body = (await req.json()) as { status: string };
      puts.push(body);
      status = body.status;
      return json(200, {});
    }
    if (path === "/api/orders/7") return json(200, {
      id: 7, number: "ORD-000007", status, currency: "IRR", subtotal: 5000, shipping: 0, total: 5000, note: "", created_at: "2026-11-28T10:00:00Z",
      customer: { name: "Sara", email: "sara@example.com", phone: "" }, items: [], allowed_next: allowedNext(status),
    }, { ETag: `"v-${status}"` });
    return json(404, { status: "error", code: "NOT_FOUND", message: "no", request_id: "r" });
  }));
  return puts;
}

function wrap(locale: "en" | "fa" = "en") {
  window.localStorage.setItem("pishkhan.locale", locale);
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <I18nProvider><ToastProvider><OrderDetail id={7} /></ToastProvider></I18nProvider>
    </QueryClientProvider>,
  );
}

describe("order status changes that cannot be undone", () => {
  it("cancel asks first, naming the order and what follows; keeping it changes nothing", async () => {
    const puts = serve("paid");
    wrap();
    await userEvent.click(await screen.findByRole("button", { name: "Mark as Cancelled" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("Cancel order \u2068ORD-000007\u2069?");
    expect(dialog.textContent).toContain("The customer's order stops and this cannot be undone.");
    await userEvent.click(screen.getByRole("button", { name: "Keep order" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(puts).toEqual([]);
    expect(screen.getByTestId("order-status").textContent).toBe("Paid");
  });

  it("refund names the amount returned and changes the status only once confirmed, leaving focus on the status card", async () => {
    const puts = serve("paid");
    wrap();
    await userEvent.click(await screen.findByRole("button", { name: "Mark as Refunded" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("Refund order \u2068ORD-000007\u2069?");
    expect(dialog.textContent).toMatch(/IRR\s*5,000 is returned to the customer/);
    expect(puts).toEqual([]);
    await userEvent.click(screen.getByRole("button", { name: "Refund" }));
    await waitFor(() => expect(puts).toEqual([{ status: "refunded" }]));
    await waitFor(() => expect(screen.getByTestId("order-status").textContent).toBe("Refunded"));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("status-heading")));
  });

  it("a step that can be undone (paid) does not ask", async () => {
    const puts = serve("pending");
    wrap();
    await userEvent.click(await screen.findByRole("button", { name: "Mark as Paid" }));
    await waitFor(() => expect(puts).toEqual([{ status: "paid" }]));
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});

describe("the status buttons", () => {
  const offered = () => [...document.querySelectorAll("[data-transition]")].map((b) => b.getAttribute("data-transition"));

  it("are exactly the order's allowed_next, in its order", async () => {
    // not what any copy of the machine would say: the buttons can only come from the field
    serve("pending", () => ["shipped", "paid"]);
    wrap();
    await screen.findByRole("button", { name: "Mark as Shipped" });
    expect(offered()).toEqual(["shipped", "paid"]);
  });

  it("are none, with a note, when allowed_next is empty", async () => {
    serve("paid", () => []);
    wrap();
    expect(await screen.findByText("This order is in a final status.")).toBeTruthy();
    expect(offered()).toEqual([]);
  });

  it("follow the new allowed_next after a change", async () => {
    serve("processing");
    wrap();
    await userEvent.click(await screen.findByRole("button", { name: "Mark as Shipped" }));
    await waitFor(() => expect(offered()).toEqual(["delivered"]));
  });
});
