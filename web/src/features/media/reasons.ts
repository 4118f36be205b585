import type { MessageKey } from "@/lib/messages";
import type { Media } from "./api";

/** The server's stable reason codes for a rejected or failed item (media.Reasons in Go). */
export const mediaReasonCodes = [
  "not_arrived", "size_mismatch", "infected", "scan_unavailable", "type_not_allowed",
  "type_mismatch", "damaged", "undecodable", "too_many_pixels", "too_much_memory",
] as const;
export type MediaReasonCode = (typeof mediaReasonCodes)[number];

const isReasonCode = (c: string): c is MediaReasonCode => (mediaReasonCodes as readonly string[]).includes(c);

/**
 * The message explaining why an item was refused, chosen by its
 * reason_code: the server's English reason is never shown. null when the
 * item was not refused; a generic message for a code this app does not know.
 */
export function reasonKey(m: Pick<Media, "reason" | "reason_code">): MessageKey | null {
  if (!m.reason_code && !m.reason) return null;
  return isReasonCode(m.reason_code) ? `media.reasonCode.${m.reason_code}` : "media.reasonCode.unknown";
}
