import { describe, expect, it } from "vitest";
import { explainUserError, splitFieldErrors } from "@/features/users/errors";
import { toApiError } from "@/lib/api/client";
import { explainError, explainListError, fieldMessages, type Translate } from "@/lib/errors";
import { faAll as fa } from "@/lib/messages.screens";
import { en } from "@/lib/messages.en";

const tr = (dict: Record<string, string>): Translate => (key, vars) => Object.entries(vars ?? {}).reduce((s, [k, v]) => s.replaceAll(`{${k}}`, String(v)), dict[key]);
const t = tr(en);

describe("the error explainer decides by the envelope's stable names, never its message", () => {
  it("explains the codes every screen shares, in the user's language", () => {
    expect(explainError(t, toApiError(500, { code: "INTERNAL", message: "x", request_id: "req-9" }))).toBe("Something went wrong. Request id: req-9");
    expect(explainError(t, toApiError(403, { code: "PERMISSION_DENIED", message: "x" }))).toBe(en["error.forbidden"]);
    expect(explainError(t, toApiError(403, { code: "CSRF_FAILED", message: "x" }))).toBe(en["error.forbidden"]);
    expect(explainError(t, toApiError(429, { code: "RATE_LIMITED", message: "x" }))).toBe(en["error.tooMany"]);
    expect(explainError(tr(fa), toApiError(503, { code: "UNAVAILABLE", message: "db down" }))).toBe(fa["error.unavailable"]);
    expect(explainError(t, new TypeError("failed to fetch"))).toBe(en["error.network"]);
  });

  it("a feature's reason wins over its code, its code over the base's; the server's text only for what nobody knows", () => {
    const cat = { reasons: { outranked: "users.err.outranked" as const }, codes: { PERMISSION_DENIED: "users.err.self" as const } };
    expect(explainError(t, toApiError(403, { code: "PERMISSION_DENIED", message: "English", details: { reason: "outranked" } }), cat)).toBe(en["users.err.outranked"]);
    expect(explainError(t, toApiError(403, { code: "PERMISSION_DENIED", message: "English", details: { reason: "other" } }), cat)).toBe(en["users.err.self"]);
    expect(explainError(t, toApiError(409, { code: "CONFLICT", message: "as sent" }), cat)).toBe("as sent");
    expect(explainError(t, toApiError(409, { code: "CONFLICT", message: "as sent" }), { otherwise: "orders.error" })).toBe(en["orders.error"]);
  });

  it("the same message whatever the wording of message", () => {
    const a = toApiError(409, { code: "CONFLICT", message: "last superuser", details: { reason: "last_superuser" } });
    const b = toApiError(409, { code: "CONFLICT", message: "cannot deactivate: would leave none", details: { reason: "last_superuser" } });
    expect(explainUserError(t, a)).toBe(en["users.err.lastSuperuser"]);
    expect(explainUserError(t, b)).toBe(explainUserError(t, a));
  });

  it("field errors by their stable field reason; a field with none keeps the server's text", () => {
    const e = toApiError(422, { code: "VALIDATION_FAILED", message: "invalid", details: {
      fields: { email: "already registered", "role_ids[1]": "not held", name: "odd" },
      field_reasons: { email: "taken", "role_ids[1]": "not_held" },
    } });
    expect(fieldMessages(t, e, { fieldReasons: { taken: "users.err.taken" } })).toEqual({ email: en["users.err.taken"], "role_ids[1]": "not held", name: "odd" });
    expect(splitFieldErrors(t, e, [7, 9])).toEqual({ fields: { email: en["users.err.taken"], name: "odd" }, roles: { 9: en["users.err.roleNotGrantable"] } });
  });

  it("a list that failed: its query's refusal as the server explains it, else the list's own message", () => {
    expect(explainListError(t, toApiError(422, { code: "VALIDATION_FAILED", message: "page: too deep" }), "orders.error")).toBe("page: too deep");
    expect(explainListError(t, toApiError(502, "<html>"), "orders.error")).toBe("Something went wrong. Request id: ");
    expect(explainListError(t, toApiError(404, { code: "NOT_FOUND", message: "x" }), "orders.error")).toBe(en["orders.error"]);
    expect(explainListError(t, new TypeError("offline"), "jobs.error")).toBe(en["jobs.error"]);
  });
});
