import { explainError, type ErrorCatalogue, type Translate } from "@/lib/errors";
import type { MessageKey } from "@/lib/messages";
import type { JobError } from "./api";

/** The refusals of retry and cancel: details.reason of a 409, and a job that is gone. */
const jobErrors: ErrorCatalogue = {
  reasons: {
    job_running: "jobs.err.running",
    job_already_waiting: "jobs.err.waiting",
    job_finished: "jobs.err.finished",
  },
  codes: { NOT_FOUND: "jobs.notFound" },
};

/** Why a retry or cancel was refused, in the user's language where details.reason names a known rule; else the server's message. */
export const explainJobError = (t: Translate, e: unknown): string => explainError(t, e, jobErrors);

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
