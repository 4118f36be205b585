import { ApiError } from "./api/client";
import type { MessageKey } from "./messages";

/** The i18n translate function (useI18n().t). */
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A message for a refusal: a key, or a function of the error (for its details). */
export type Explanation = MessageKey | ((t: Translate, e: ApiError) => string);

/**
 * What a feature knows about the refusals of its endpoints, by the contract's
 * stable names only (API.md section 2): details.reason, the error code, and
 * details.field_reasons. Never by the wording of message.
 */
export type ErrorCatalogue = {
  /** By details.reason; wins over the code. */
  reasons?: Record<string, Explanation>;
  /** By code (NOT_FOUND, PRECONDITION_FAILED, …); wins over the base's. */
  codes?: Record<string, Explanation>;
  /** By details.field_reasons[field], for fieldMessages. */
  fieldReasons?: Record<string, Explanation>;
  /** For a code neither the feature nor the base knows; the server's message when absent. */
  otherwise?: Explanation;
};

/** What every screen says the same way, whatever the feature. */
const base: Record<string, Explanation> = {
  INTERNAL: (t, e) => t("error.generic", { id: e.requestId }),
  RATE_LIMITED: "error.tooMany",
  UNAVAILABLE: "error.unavailable",
  PERMISSION_DENIED: "error.forbidden",
  CSRF_FAILED: "error.forbidden",
};

const say = (t: Translate, e: ApiError, x: Explanation) => (typeof x === "function" ? x(t, e) : t(x));
const pick = (m: Record<string, Explanation> | undefined, k: string) => (k && m && Object.hasOwn(m, k) ? m[k] : undefined);

/**
 * A refusal in the user's language: a network failure (or anything that is
 * not the contract's envelope) as such; then the feature's message for its
 * details.reason, for its code, the base's for the code, the feature's
 * otherwise; and last the server's message as sent.
 */
export function explainError(t: Translate, e: unknown, catalogue: ErrorCatalogue = {}): string {
  if (!(e instanceof ApiError) || e.code === "NETWORK") return t("error.network");
  const x = pick(catalogue.reasons, e.reason) ?? pick(catalogue.codes, e.code) ?? pick(base, e.code) ?? catalogue.otherwise;
  return x ? say(t, e, x) : e.message;
}

/** One refused field's message: the feature's for its field reason, else the server's text for the field. */
export function fieldMessage(t: Translate, e: ApiError, field: string, catalogue: ErrorCatalogue = {}): string {
  const x = pick(catalogue.fieldReasons, e.fieldReason(field));
  return x ? say(t, e, x) : (e.fields[field] ?? "");
}

/** Every refused field's message, by the server's field name. */
export function fieldMessages(t: Translate, e: ApiError, catalogue: ErrorCatalogue = {}): Record<string, string> {
  return Object.fromEntries(Object.keys(e.fields).map((f) => [f, fieldMessage(t, e, f, catalogue)]));
}

/**
 * Why a list could not be loaded: its query refused (422, 400) as the server
 * explains it, otherwise the base's words or the list's own message.
 */
export function explainListError(t: Translate, e: unknown, failed: MessageKey, catalogue: ErrorCatalogue = {}): string {
  if (!(e instanceof ApiError) || e.code === "NETWORK") return t(failed);
  const asSent: Explanation = (_, x) => x.message;
  return explainError(t, e, { ...catalogue, codes: { VALIDATION_FAILED: asSent, INVALID_JSON: asSent, ...catalogue.codes }, otherwise: catalogue.otherwise ?? failed });
}
