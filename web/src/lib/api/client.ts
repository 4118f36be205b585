import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Order = Schemas["Order"];
export type OrderStatus = Order["status"];
export type Me = Schemas["Me"];

/** An error in the API's envelope, typed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
    readonly details: Record<string, unknown> = {},
    readonly requestId = "",
  ) {
    super(message);
    this.name = "ApiError";
  }
  get isClientError() {
    return this.status >= 400 && this.status < 500;
  }
  /** details.reason: the stable name of the rule that refused the request ("" when none). */
  get reason(): string {
    return typeof this.details.reason === "string" ? this.details.reason : "";
  }
  /** details.field_reasons[field]: the stable reason a field was refused ("" when none). */
  fieldReason(field: string): string {
    const r = (this.details.field_reasons as Record<string, string> | undefined)?.[field];
    return typeof r === "string" ? r : "";
  }
}

let csrfToken = "";

/** Remembers the session's CSRF token; unsafe requests carry it. */
export function setCsrfToken(token: string) {
  csrfToken = token;
}

/** The session's CSRF token, for requests made outside this client (uploads over XMLHttpRequest). */
export const getCsrfToken = () => csrfToken;

// Same origin always; an absolute base keeps Request happy outside browsers too.
export const api = createClient<paths>({
  baseUrl: typeof window !== "undefined" ? window.location.origin : "",
  credentials: "same-origin",
  // looked up per call, so tests can stand a local server's answers in for it
  fetch: (req) => globalThis.fetch(req),
});

api.use({
  onRequest({ request }) {
    if (request.method !== "GET" && csrfToken) request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
});

/** Converts an error body (or a network failure) into an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  const e = (body ?? {}) as { code?: string; message?: string; details?: Record<string, unknown>; request_id?: string };
  const details = e.details ?? {};
  const fields = (details.fields as Record<string, string> | undefined) ?? {};
  return new ApiError(status, e.code ?? "INTERNAL", e.message ?? `HTTP ${status}`, fields, details, e.request_id ?? "");
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Returns the data of a successful call or throws its ApiError. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<{ data: T; response: Response }> {
  let res: Result<T>;
  try {
    res = await call;
  } catch {
    throw new ApiError(0, "NETWORK", "network error");
  }
  if (res.error !== undefined || !res.response.ok) throw toApiError(res.response.status, res.error);
  return { data: res.data as T, response: res.response };
}
