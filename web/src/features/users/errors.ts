import type { ApiError } from "@/lib/api/client";
import { explainError, fieldMessage, type ErrorCatalogue, type Translate } from "@/lib/errors";

/** The people API's refusals (internal/auth/reasons.go) as the users screens explain them. */
export const userErrors: ErrorCatalogue = {
  reasons: {
    last_superuser: "users.err.lastSuperuser",
    self: "users.err.self",
    superuser_only: "users.err.superOnly",
    outranked: "users.err.outranked",
  },
  codes: {
    NOT_FOUND: "users.notFound",
    PRECONDITION_FAILED: "users.err.stale",
    RATE_LIMITED: "error.rateLimited",
    VALIDATION_FAILED: "create.fixErrors",
  },
  fieldReasons: {
    taken: "users.err.taken",
    invalid_email: "form.email",
    too_long: "users.err.nameTooLong",
    not_held: "users.err.roleNotGrantable",
    no_such_role: "users.err.noSuchRole",
    superuser_only: "users.err.superOnlyMake",
  },
};

/**
 * Splits a 422's fields into form fields and role errors: role_ids[i] names
 * the i-th role id that was sent.
 */
export function splitFieldErrors(t: Translate, e: ApiError, sentRoleIds: number[]) {
  const fields: Record<string, string> = {};
  const roles: Record<number, string> = {};
  for (const field of Object.keys(e.fields)) {
    const text = fieldMessage(t, e, field, userErrors);
    const m = /^role_ids\[(\d+)\]$/.exec(field);
    if (m && sentRoleIds[Number(m[1])] !== undefined) roles[sentRoleIds[Number(m[1])]] = text;
    else fields[field.replace(/\[\d+\]$/, "")] = text;
  }
  return { fields, roles };
}

/** A refusal that is not about one field, explained in the user's language where it is a known rule. */
export const explainUserError = (t: Translate, e: unknown): string => explainError(t, e, userErrors);
