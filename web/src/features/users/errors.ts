import { ApiError } from "@/lib/api/client";
import type { MessageKey } from "@/lib/messages";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** Known reasons the server gives for a field, in the user's language; others are shown as sent. */
export function fieldReason(t: T, reason: string): string {
  if (/^is already taken/.test(reason)) return t("users.err.taken");
  if (/^must be an email address/.test(reason)) return t("form.email");
  if (/^must be at most 100 characters/.test(reason)) return t("users.err.nameTooLong");
  if (/which you do not hold/.test(reason)) return t("users.err.roleNotGrantable");
  if (/^there is no role/.test(reason)) return t("users.err.noSuchRole");
  if (/^only a superuser can make another/.test(reason)) return t("users.err.superOnlyMake");
  return reason;
}

/**
 * Splits a 422's fields into form fields and role errors: role_ids[i] names
 * the i-th role id that was sent.
 */
export function splitFieldErrors(t: T, e: ApiError, sentRoleIds: number[]) {
  const fields: Record<string, string> = {};
  const roles: Record<number, string> = {};
  for (const [field, reason] of Object.entries(e.fields)) {
    const m = /^role_ids\[(\d+)\]$/.exec(field);
    if (m && sentRoleIds[Number(m[1])] !== undefined) roles[sentRoleIds[Number(m[1])]] = fieldReason(t, reason);
    else fields[field.replace(/\[\d+\]$/, "")] = fieldReason(t, reason);
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
    case "CONFLICT":
      return /last active superuser/.test(e.message) ? t("users.err.lastSuperuser") : e.message;
    case "PERMISSION_DENIED":
      if (/your own/.test(e.message)) return t("users.err.self");
      if (/superuser/.test(e.message)) return t("users.err.superOnly");
      if (/role with permissions you lack/.test(e.message)) return t("users.err.heldRole");
      return t("error.forbidden");
    case "VALIDATION_FAILED":
      return t("create.fixErrors");
    default:
      return e.message;
  }
}
