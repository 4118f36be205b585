import { ApiError } from "@/lib/api/client";
import type { MessageKey } from "@/lib/messages";
import type { JobError } from "./api";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** Why a retry or cancel was refused, in the user's language where details.reason names a known rule; else the server's message. */
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
      return conflicts[e.reason] ? t(conflicts[e.reason]) : e.message;
    default:
      return e.message;
  }
}

/** The refusals of retry and cancel, by details.reason. */
const conflicts: Record<string, MessageKey> = {
  job_running: "jobs.err.running",
  job_already_waiting: "jobs.err.waiting",
  job_finished: "jobs.err.finished",
};

/** What each kind of job error (classified by the server) means, for who cannot read the server's English, technical text. */
const whys: Record<JobError["kind"], MessageKey> = {
  busy: "jobs.why.busy",
  timeout: "jobs.why.timeout",
  cancelled: "jobs.why.cancelled",
  unreachable: "jobs.why.unreachable",
  crash: "jobs.why.crash",
  missing: "jobs.why.missing",
  other: "jobs.why.other",
};

/** The message key explaining a job's error by its kind; "jobs.why.other" for a kind this app does not know. */
export function jobErrorWhy(e: Pick<JobError, "kind">): MessageKey {
  return Object.hasOwn(whys, e.kind) ? whys[e.kind] : "jobs.why.other";
}
