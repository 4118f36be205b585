import { describe, expect, it } from "vitest";
import { toApiError, unwrap } from "@/lib/api/client";
import { serverFieldToPath } from "@/features/orders/components/CreateOrderForm";

describe("the contract's error envelope becomes a typed error", () => {
  it("keeps code, message, field errors and request id", () => {
    const e = toApiError(422, {
      status: "error", code: "VALIDATION_FAILED", message: "the request has invalid fields",
      details: { fields: { "items[0].quantity": "must be at least 1" } }, request_id: "req-1",
    });
    expect(e.status).toBe(422);
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(e.fields["items[0].quantity"]).toBe("must be at least 1");
    expect(e.requestId).toBe("req-1");
    expect(e.isClientError).toBe(true);
  });

  it("keeps details such as allowed transitions", () => {
    const e = toApiError(409, { code: "INVALID_TRANSITION", message: "no", details: { from: "pending", to: "shipped", allowed: ["paid", "cancelled"] } });
    expect(e.details.allowed).toEqual(["paid", "cancelled"]);
  });

  it("survives a body that is not the envelope", () => {
    const e = toApiError(502, "<html>bad gateway</html>");
    expect(e.code).toBe("INTERNAL");
    expect(e.status).toBe(502);
  });

  it("unwrap throws for a non-2xx and for a network failure", async () => {
    const resp = new Response(null, { status: 412 });
    await expect(unwrap(Promise.resolve({ error: { code: "PRECONDITION_FAILED", message: "stale" }, response: resp }))).rejects.toMatchObject({ code: "PRECONDITION_FAILED", status: 412 });
    await expect(unwrap(Promise.reject(new TypeError("fetch failed")))).rejects.toMatchObject({ code: "NETWORK" });
  });

  it("maps server field names onto form paths", () => {
    expect(serverFieldToPath("items[0].quantity")).toBe("items.0.quantity");
    expect(serverFieldToPath("customer.email")).toBe("customer.email");
  });
});
