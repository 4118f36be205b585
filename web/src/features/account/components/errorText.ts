import type { useI18n } from "@/lib/i18n";
import { explainError } from "@/lib/errors";
import type { MessageKey } from "@/lib/messages";
import { faAll } from "@/lib/messages.screens";

type T = ReturnType<typeof useI18n>["t"];

/** An error's text for the user: a known code in their language, else the server's message (with the request id when internal). */
export const errorText = (t: T, e: unknown): string => explainError(t, e, { codes: { RATE_LIMITED: "error.rateLimited" } });

/** A form error's message: our own key translated, a server's reason as it came. */
export function formMessage(t: T, m: string | undefined): string | undefined {
  if (!m) return undefined;
  return m in faAll ? t(m as MessageKey) : m;
}
