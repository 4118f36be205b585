import { ApiError } from "@/lib/api/client";
import type { useI18n } from "@/lib/i18n";
import { fa, type MessageKey } from "@/lib/messages";

type T = ReturnType<typeof useI18n>["t"];

/** An error's text for the user: a known code in their language, else the server's message (with the request id when internal). */
export function errorText(t: T, e: unknown): string {
  if (!(e instanceof ApiError) || e.code === "NETWORK") return t("error.network");
  if (e.code === "INTERNAL") return t("error.generic", { id: e.requestId });
  if (e.code === "RATE_LIMITED") return t("error.rateLimited");
  if (e.status === 403) return t("error.forbidden");
  return e.message;
}

/** A form error's message: our own key translated, a server's reason as it came. */
export function formMessage(t: T, m: string | undefined): string | undefined {
  if (!m) return undefined;
  return m in fa ? t(m as MessageKey) : m;
}
