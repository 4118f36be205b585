// Browser error reports, on only when the server says so: it puts its
// SENTRY_DSN in <meta name="pishkhan-sentry-dsn"> (and allows the DSN's origin
// in connect-src). The SDK is a chunk of its own, loaded after the first render,
// so the first-load budget does not carry it; errors thrown before it arrives
// are kept and sent once it has.

export const SENTRY_META = "pishkhan-sentry-dsn";

type SentryEvent = {
  request?: { url?: string; method?: string; headers?: unknown; cookies?: unknown; query_string?: unknown; data?: unknown };
  user?: { id?: string | number };
  breadcrumbs?: { data?: Record<string, unknown> }[];
};

/** The URL without its query string or fragment (they may carry tokens or emails). */
export function stripQuery(url: string): string {
  return url.replace(/[?#].*$/, "");
}

/** Drops whatever may identify a person or carry a secret; keeps the page (without query) and the user id. */
export function scrub<E extends SentryEvent>(event: E): E {
  if (event.request) event.request = { url: event.request.url && stripQuery(event.request.url), method: event.request.method };
  if (event.user) event.user = event.user.id === undefined ? {} : { id: event.user.id };
  for (const b of event.breadcrumbs ?? []) {
    if (!b.data) continue;
    for (const k of ["url", "from", "to"]) if (typeof b.data[k] === "string") b.data[k] = stripQuery(b.data[k] as string);
  }
  return event;
}

let started = false;

/** Starts error reports when the page carries a DSN; a no-op otherwise or when already started. */
export function startErrorReports(): void {
  if (started || typeof document === "undefined") return;
  const dsn = document.querySelector<HTMLMetaElement>(`meta[name="${SENTRY_META}"]`)?.content;
  if (!dsn) return;
  started = true;
  const early: unknown[] = [];
  const onError = (e: ErrorEvent) => early.push(e.error ?? e.message);
  const onRejection = (e: PromiseRejectionEvent) => early.push(e.reason);
  window.addEventListener("error", onError);
  window.addEventListener("unhandledrejection", onRejection);
  void import("./sentry-sdk").then(({ start }) => {
    window.removeEventListener("error", onError);
    window.removeEventListener("unhandledrejection", onRejection);
    start(dsn, early);
  });
}
