import { ApiError, getCsrfToken, unwrap } from "./client";

/** A query string's values: arrays are repeated (tag=a&tag=b); empty, null and undefined are left out. */
export type Query = Record<string, string | number | boolean | readonly (string | number)[] | null | undefined>;

export type RequestOptions = {
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

/** path?query, with the API's conventions (arrays repeated, empty values left out). */
export function withQuery(path: string, query: Query = {}): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) for (const x of v) sp.append(k, String(x));
    else sp.set(k, String(v));
  }
  const qs = sp.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * A call to a route the generated schema does not describe yet (the content
 * wave's posts, projects and webhooks): the same conventions as the typed
 * client (same origin, the CSRF token on unsafe methods, the error envelope
 * as ApiError, a network failure as ApiError NETWORK). The integrator swaps
 * callers to api.GET/POST… once web/openapi.json has the routes.
 */
export async function request<T>(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, opts: RequestOptions = {}): Promise<{ data: T; response: Response }> {
  const headers = new Headers(opts.headers);
  if (opts.body !== undefined) headers.set("Content-Type", "application/json");
  const csrf = getCsrfToken();
  if (method !== "GET" && csrf) headers.set("X-CSRF-Token", csrf);
  const base = typeof window !== "undefined" ? window.location.origin : "http://localhost";
  const req = new Request(base + withQuery(path, opts.query), {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    credentials: "same-origin",
    signal: opts.signal,
  });
  return unwrap<T>(
    (async () => {
      // looked up per call, so tests can stand a local server's answers in for it
      const response = await globalThis.fetch(req);
      const text = response.status === 204 ? "" : await response.text();
      let parsed: unknown = undefined;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          if (response.ok) throw new ApiError(response.status, "INTERNAL", "unreadable answer");
        }
      }
      return response.ok ? { data: parsed as T, response } : { error: parsed ?? {}, response };
    })(),
  );
}
