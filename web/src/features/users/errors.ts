import { ApiError } from "@/lib/api/client";
import type { MessageKey } from "@/lib/messages";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A field's refusal in the user's language by its stable reason; one without a known reason is shown as sent. */
export function fieldReason(t: T, code: string, reason: string): string {
  switch (code) {
    case "taken":
      return t("users.err.taken");
    case "invalid_email":
      return t("form.email");
    case "too_long":
      return t("users.err.nameTooLong");
    case "not_held":
      return t("users.err.roleNotGrantable");
    case "no_such_role":
      return t("users.err.noSuchRole");
    case "superuser_only":
      return t("users.err.superOnlyMake");
    default:
      return reason;
  }
}

/**
 * Splits a 422's fields into form fields and role errors: role_ids[i] names
 * the i-th role id that was sent.
 */
export function splitFieldErrors(t: T, e: ApiError, sentRoleIds: number[]) {
  const fields: Record<string, string> = {};
  const roles: Record<number, string> = {};
  for (const [field, reason] of Object.entries(e.fields)) {
    const text = fieldReason(t, e.fieldReason(field), reason);
    const m = /^role_ids\[(\d+)\]$/.exec(field);
    if (m && sentRoleIds[Number(m[1])] !== undefined) roles[sentRoleIds[Number(m[1])]] = text;
    else fields[field.replace(/\[\d+\]$/, "")] = text;
  }
  return { fields, roles };
}

/** A refusal that is not about one field, explained in the user's language where it is a known rule. */
export function explainUserError(t: T, e: unknown): string {
  if (!(e instanceof ApiError)) return t("error.network");
  switch (e.code) {
    case "NETWORK":
      return t("error.network");
    case "INTERNAL":
      return t("error.generic", { id: e.requestId });
    case "NOT_FOUND":
      return t("users.notFound");
    case "PRECONDITION_FAILED":
      return t("users.err.stale");
    case "RATE_LIMITED":
      return t("error.rateLimited");
    case "CONFLICT":
      return e.reason === "last_superuser" ? t("users.err.lastSuperuser") : e.message;
    case "PERMISSION_DENIED":
      if (e.reason === "self") return t("users.err.self");
      if (e.reason === "superuser_only") return t("users.err.superOnly");
      if (e.reason === "outranked") return t("users.err.outranked");
      return t("error.forbidden");
    case "VALIDATION_FAILED":
      return t("create.fixErrors");
    default:
      return e.message;
  }
}
