// Browser error reports, on only when the server says so: it puts its
// SENTRY_DSN in <meta name="pishkhan-sentry-dsn"> (and allows the DSN's origin
// in connect-src). The SDK is a chunk of its own, loaded after the first render,
// so the first-load budget does not carry it; errors thrown before it arrives
// are kept and sent once it has.

export const SENTRY_META = "pishkhan-sentry-dsn";

type SentryFrame = { filename?: string; abs_path?: string };
type SentryEvent = {
  message?: string;
  exception?: { values?: { value?: string; stacktrace?: { frames?: SentryFrame[] } }[] };
  request?: { url?: string; method?: string; headers?: unknown; cookies?: unknown; query_string?: unknown; data?: unknown };
  user?: { id?: string | number };
  breadcrumbs?: { message?: string; data?: Record<string, unknown> }[];
};

/** The URL without its query string or fragment (they may carry tokens or emails). */
export function stripQuery(url: string): string {
  return url.replace(/[?#].*$/, "");
}

/** What looks like an email address, as the server's scrub matches it. */
const EMAILS = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/g;

function noEmails(text: string): string {
  return text.replace(EMAILS, "[email]");
}

/** A breadcrumb keeps these data fields (URLs without their query), nothing else: console arguments and the like may hold anything. */
const BREADCRUMB_URLS = ["url", "from", "to"];
const BREADCRUMB_KEPT = ["method", "status_code"];

/**
 * Drops whatever may identify a person or carry a secret: keeps the page
 * (without query) and the user id; emails in messages become [email].
 */
export function scrub<E extends SentryEvent>(event: E): E {
  if (event.request) event.request = { url: event.request.url && stripQuery(event.request.url), method: event.request.method };
  if (event.user) event.user = event.user.id === undefined ? {} : { id: event.user.id };
  if (event.message) event.message = noEmails(event.message);
  for (const ex of event.exception?.values ?? []) {
    if (ex.value) ex.value = noEmails(ex.value);
    for (const f of ex.stacktrace?.frames ?? []) {
      if (f.filename) f.filename = stripQuery(f.filename);
      if (f.abs_path) f.abs_path = stripQuery(f.abs_path);
    }
  }
  for (const b of event.breadcrumbs ?? []) {
    if (b.message) b.message = noEmails(b.message);
    if (!b.data) continue;
    const data: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(b.data)) {
      if (BREADCRUMB_URLS.includes(k) && typeof v === "string") data[k] = stripQuery(v);
      else if (BREADCRUMB_KEPT.includes(k)) data[k] = v;
    }
    if (Object.keys(data).length > 0) b.data = data;
    else delete b.data;
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
