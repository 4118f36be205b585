import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import type { UrlCodec } from "@/lib/urlState";

export type Job = Schemas["Job"];
export type JobError = Schemas["JobError"];

/** River's job states, as the API names them. */
export const jobStates = ["available", "scheduled", "pending", "running", "retryable", "discarded", "completed", "cancelled"] as const;
export type JobState = (typeof jobStates)[number];

/** The tabs of the jobs screen: states grouped the way an operator thinks of them. */
export const jobGroups = {
  all: [],
  queued: ["available", "scheduled", "pending"],
  running: ["running"],
  failed: ["retryable", "discarded"],
  completed: ["completed"],
  cancelled: ["cancelled"],
} as const satisfies Record<string, readonly JobState[]>;
export type JobGroup = keyof typeof jobGroups;
export const jobGroupNames = Object.keys(jobGroups) as JobGroup[];

/** The tab a state belongs to (a state this screen does not know: all). */
export function groupOf(state: string): JobGroup {
  return jobGroupNames.find((g) => g !== "all" && (jobGroups[g] as readonly string[]).includes(state)) ?? "all";
}

export const isJobState = (s: string): s is JobState => (jobStates as readonly string[]).includes(s);

/** Retry makes a failed, discarded or cancelled job run again now. */
export const canRetry = (state: string) => state === "retryable" || state === "discarded" || state === "cancelled";
/** Cancel stops a job that has not finished from running (again). */
export const canCancel = (state: string) => state === "available" || state === "scheduled" || state === "retryable" || state === "running";

/** The list filters, as kept in the URL. */
export type JobFilters = { group: JobGroup; kind: string; page: number; pageSize: number };
export const defaultJobFilters: JobFilters = { group: "all", kind: "", page: 1, pageSize: 20 };
const pageSizes = [10, 20, 50, 100];

export function jobFiltersFromSearch(sp: URLSearchParams): JobFilters {
  const int = (v: string | null, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);
  const g = sp.get("state") ?? "";
  return {
    group: g in jobGroups ? (g as JobGroup) : "all",
    kind: (sp.get("kind") ?? "").trim().slice(0, 100),
    page: Math.max(1, int(sp.get("page"), 1)),
    pageSize: pageSizes.includes(int(sp.get("page_size"), 20)) ? int(sp.get("page_size"), 20) : 20,
  };
}

export function jobFiltersToSearch(f: JobFilters): string {
  const sp = new URLSearchParams();
  if (f.group !== "all") sp.set("state", f.group);
  if (f.kind) sp.set("kind", f.kind);
  if (f.page !== 1) sp.set("page", String(f.page));
  if (f.pageSize !== 20) sp.set("page_size", String(f.pageSize));
  return sp.toString();
}

/** The list's state in the URL (useUrlState). */
export const jobFiltersCodec: UrlCodec<JobFilters> = { parse: jobFiltersFromSearch, serialize: jobFiltersToSearch };

/** A job's newest error, or undefined. */
export function lastError(j: Pick<Job, "errors">): JobError | undefined {
  return j.errors.reduce<JobError | undefined>((last, e) => (!last || e.attempt > last.attempt || (e.attempt === last.attempt && e.at > last.at) ? e : last), undefined);
}

/** The first line of an error, cut to max characters, for a table cell. */
export function snippet(text: string, max = 80): string {
  const line = text.trim().split("\n")[0];
  return line.length > max ? line.slice(0, max - 1).trimEnd() + "…" : line;
}

export const jobKeys = {
  all: ["jobs"] as const,
  list: (f: JobFilters) => ["jobs", "list", f] as const,
  detail: (id: number) => ["jobs", "detail", id] as const,
};

export const jobsListQuery = (f: JobFilters) =>
  queryOptions({
    queryKey: jobKeys.list(f),
    queryFn: async ({ signal }) => {
      const states = [...jobGroups[f.group]];
      const { data } = await unwrap(
        api.GET("/api/jobs", {
          signal,
          params: { query: { state: states.length ? states : undefined, kind: f.kind || undefined, page: f.page, page_size: f.pageSize } },
          querySerializer: { array: { style: "form", explode: true } },
        }),
      );
      return data;
    },
  });

export const useJobs = (f: JobFilters) => useQuery(jobsListQuery(f));

export const jobQuery = (id: number) =>
  queryOptions({
    queryKey: jobKeys.detail(id),
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/jobs/{id}", { signal, params: { path: { id } } }))).data,
  });

export const useJob = (id: number) => useQuery({ ...jobQuery(id), enabled: id > 0 });

/** Retry or cancel; either way every jobs query is asked again. */
export function useJobAction(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (action: "retry" | "cancel") =>
      action === "retry"
        ? (await unwrap(api.POST("/api/jobs/{id}/retry", { params: { path: { id } } }))).data
        : (await unwrap(api.POST("/api/jobs/{id}/cancel", { params: { path: { id } } }))).data,
    onSuccess: (job) => qc.setQueryData(jobKeys.detail(id), job),
    onSettled: () => qc.invalidateQueries({ queryKey: jobKeys.all }),
  });
}
