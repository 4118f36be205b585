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

/** What the job's error means, for who cannot read the server's (English, technical) text. */
const whys: [RegExp, MessageKey][] = [
  [/database is locked|SQLITE_BUSY|deadlock|could not serialize/i, "jobs.why.busy"],
  [/deadline exceeded|timed? ?out/i, "jobs.why.timeout"],
  [/context canceled|cancell?ed/i, "jobs.why.cancelled"],
  [/connection refused|connection reset|no such host|dial tcp|unreachable|broken pipe|\bEOF\b/i, "jobs.why.unreachable"],
  [/panic/i, "jobs.why.crash"],
  [/not found|no rows|no such/i, "jobs.why.missing"],
];

/** The message key explaining a job's error text; "jobs.why.other" when it is none of the known kinds. */
export function jobErrorWhy(error: string): MessageKey {
  return whys.find(([re]) => re.test(error))?.[1] ?? "jobs.why.other";
}
