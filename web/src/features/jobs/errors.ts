import { ApiError } from "@/lib/api/client";
import type { MessageKey } from "@/lib/messages";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** Why a retry or cancel was refused, in the user's language where it is a known rule; else the server's message. */
export function explainJobError(t: T, e: unknown): string {
  if (!(e instanceof ApiError) || e.code === "NETWORK") return t("error.network");
  switch (e.code) {
    case "INTERNAL":
      return t("error.generic", { id: e.requestId });
    case "NOT_FOUND":
      return t("jobs.notFound");
    case "PERMISSION_DENIED":
      return t("error.forbidden");
    case "CONFLICT":
      if (/is running/.test(e.message)) return t("jobs.err.running");
      if (/already waiting/.test(e.message)) return t("jobs.err.waiting");
      if (/nothing to cancel/.test(e.message)) return t("jobs.err.finished");
      return e.message;
    default:
      return e.message;
  }
}
