import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  canCancel, canRetry, defaultJobFilters, groupOf, jobFiltersFromSearch, jobFiltersToSearch, jobGroups, jobStates, lastError, snippet, type Job, type JobError,
} from "@/features/jobs/api";
import { JobDetail } from "@/features/jobs/components/JobDetail";
import { JobStateBadge } from "@/features/jobs/components/JobStateBadge";
import { explainJobError, jobErrorWhy } from "@/features/jobs/errors";
import { ApiError } from "@/lib/api/client";
import { I18nProvider } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { en } from "@/lib/messages.en";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";

function wrap(ui: React.ReactNode, locale: "en" | "fa" = "en") {
  window.localStorage.setItem("pishkhan.locale", locale);
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <I18nProvider><ToastProvider>{ui}</ToastProvider></I18nProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

const t = (key: MessageKey) => en[key];

describe("job states", () => {
  it("group into the screen's tabs, every state in exactly one", () => {
    expect(jobGroups.queued).toEqual(["available", "scheduled", "pending"]);
    expect(jobGroups.failed).toEqual(["retryable", "discarded"]);
    for (const s of jobStates) expect(Object.entries(jobGroups).filter(([g, states]) => g !== "all" && (states as readonly string[]).includes(s))).toHaveLength(1);
    expect(groupOf("scheduled")).toBe("queued");
    expect(groupOf("discarded")).toBe("failed");
    expect(groupOf("running")).toBe("running");
    expect(groupOf("something_new")).toBe("all");
  });

  it("allow retry when failed, discarded or cancelled, and cancel while not finished", () => {
    expect(jobStates.filter(canRetry)).toEqual(["retryable", "discarded", "cancelled"]);
    expect(jobStates.filter(canCancel)).toEqual(["available", "scheduled", "running", "retryable"]);
  });

  it("keep tab, kind and page in the URL and drop what is not valid", () => {
    const f = jobFiltersFromSearch(new URLSearchParams("state=failed&kind=stats_reconcile&page=3&page_size=50"));
    expect(f).toEqual({ group: "failed", kind: "stats_reconcile", page: 3, pageSize: 50 });
    expect(jobFiltersFromSearch(new URLSearchParams(jobFiltersToSearch(f)))).toEqual(f);
    expect(jobFiltersFromSearch(new URLSearchParams("state=exploded&page=0&page_size=7"))).toEqual(defaultJobFilters);
    expect(jobFiltersToSearch(defaultJobFilters)).toBe("");
  });

  it("show the newest error, cut to one line", () => {
    expect(lastError({ errors: [] })).toBeUndefined();
    expect(lastError({ errors: [{ attempt: 1, at: "2026-11-28T09:00:00Z", error: "a", kind: "other" }, { attempt: 3, at: "2026-11-28T09:02:00Z", error: "c", kind: "other" }, { attempt: 2, at: "2026-11-28T09:01:00Z", error: "b", kind: "other" }] })?.error).toBe("c");
    expect(snippet("connection refused\nstack trace…")).toBe("connection refused");
    expect(snippet("x".repeat(100), 10)).toBe("xxxxxxxxx…");
  });

  it("explain a refused retry or cancel in the user's words, by details.reason", () => {
    const conflict = (reason: string, m = "whatever the server says") => new ApiError(409, "CONFLICT", m, {}, reason ? { reason } : {});
    expect(explainJobError(t, conflict("job_running"))).toBe(en["jobs.err.running"]);
    expect(explainJobError(t, conflict("job_already_waiting"))).toBe(en["jobs.err.waiting"]);
    expect(explainJobError(t, conflict("job_finished"))).toBe(en["jobs.err.finished"]);
    // the wording of message decides nothing
    expect(explainJobError(t, conflict("", "the job is running; wait for it to finish or fail"))).toBe("the job is running; wait for it to finish or fail");
    expect(explainJobError(t, conflict("something_new", "something else"))).toBe("something else");
    expect(explainJobError(t, new ApiError(0, "NETWORK", "network error"))).toBe(en["error.network"]);
  });

  it("explain an attempt's error by the kind the server gave it", () => {
    expect(jobErrorWhy({ kind: "busy" })).toBe("jobs.why.busy");
    expect(jobErrorWhy({ kind: "missing" })).toBe("jobs.why.missing");
    // a kind from a newer server
    expect(jobErrorWhy({ kind: "quantum" as JobError["kind"] })).toBe("jobs.why.other");
  });

  it("show as translated badges", () => {
    wrap(<><JobStateBadge state="discarded" /><JobStateBadge state="running" /><JobStateBadge state="mystery" /></>, "fa");
    expect(screen.getByText("کنارگذاشته").closest("[data-job-state]")!.className).toMatch(/red/);
    expect(screen.getByText("در حال اجرا")).toBeTruthy();
    expect(screen.getByText("mystery").getAttribute("dir")).toBe("ltr");
  });
});

const job = (over: Partial<Job> = {}): Job => ({
  id: 42, kind: "stats_reconcile", queue: "default", state: "retryable", attempt: 2, max_attempts: 25,
  args: { days: 3 }, errors: [{ attempt: 1, at: "2026-11-28T09:00:00Z", error: "database is locked", kind: "busy" }, { attempt: 2, at: "2026-11-28T09:01:00Z", error: "timeout\nat line 2", kind: "timeout" }],
  created_at: "2026-11-28T08:59:00Z", scheduled_at: "2026-11-28T09:05:00Z", attempted_at: "2026-11-28T09:01:00Z", finalized_at: null, ...over,
});

function serve(answer: (req: Request, path: string) => { status: number; body: unknown }) {
  const seen: string[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    seen.push(`${req.method} ${path}`);
    const a = answer(req, path);
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { "Content-Type": "application/json" } });
  }));
  return seen;
}

describe("a job's page", () => {
  it("shows its args and every attempt's error, and retries after confirmation", async () => {
    let current = job();
    const seen = serve((req, path) => {
      if (req.method === "POST" && path === "/api/jobs/42/retry") {
        current = job({ state: "available", attempt: 2 });
        return { status: 200, body: current };
      }
      return { status: 200, body: current };
    });
    wrap(<JobDetail id={42} />);
    await screen.findByTestId("job-detail");
    expect(screen.getByTestId("job-args").textContent).toBe('{\n  "days": 3\n}');
    expect([...document.querySelectorAll("[data-attempt]")].map((e) => e.getAttribute("data-attempt"))).toEqual(["2", "1"]);
    expect(screen.getByText(/database is locked/)).toBeTruthy();
    expect(screen.getByTestId("job-cancel")).toBeTruthy();
    await userEvent.click(screen.getByTestId("job-retry"));
    const dialog = screen.getByRole("dialog");
    expect(within(dialog).getByText("Retry job #42?")).toBeTruthy();
    expect(seen).not.toContain("POST /api/jobs/42/retry");
    await userEvent.click(within(dialog).getByTestId("confirm"));
    await waitFor(() => expect(seen).toContain("POST /api/jobs/42/retry"));
    await waitFor(() => expect(screen.getByTestId("job-detail").getAttribute("data-state")).toBe("available"));
    expect(screen.queryByTestId("job-retry")).toBeNull();
  });

  it("explains a 409 when the job moved on meanwhile", async () => {
    serve((req) =>
      req.method === "POST"
        ? { status: 409, body: { status: "error", code: "CONFLICT", message: "the job is completed; there is nothing to cancel", details: { reason: "job_finished" }, request_id: "r" } }
        : { status: 200, body: job({ state: "scheduled", errors: [] }) },
    );
    wrap(<JobDetail id={42} />);
    await userEvent.click(await screen.findByTestId("job-cancel"));
    await userEvent.click(within(screen.getByRole("dialog")).getByTestId("confirm"));
    expect((await screen.findByTestId("job-action-error")).textContent).toBe(en["jobs.err.finished"]);
    expect(screen.getByTestId("job-no-errors")).toBeTruthy();
  });

  it("says so when there is no such job", async () => {
    serve(() => ({ status: 404, body: { status: "error", code: "NOT_FOUND", message: "no such job", request_id: "r" } }));
    wrap(<JobDetail id={9} />);
    expect((await screen.findByRole("alert")).textContent).toMatch(/This job was not found/);
  });
});
