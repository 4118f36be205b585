import { ApiError, toApiError } from "@/lib/api/client";
import type { Media, SignedRequest } from "./api";

/**
 * The upload queue: each file goes
 *   queued → requesting (POST /api/media/upload) → sending (the bytes, PUT to the signed URL)
 *          → completing (POST /api/media/{id}/complete) → processing (the server's pipeline; the
 *            row then follows the item's live status)
 * and from any active step to "error" (retry resumes at the step that failed) or "cancelled".
 * Everything here is pure except sendBytes.
 */
export type UploadStep = "request" | "send" | "complete";
export type UploadPhase = "queued" | "requesting" | "sending" | "completing" | "processing" | "error" | "cancelled";
export type UploadFile = Pick<File, "name" | "size" | "type">;
export type UploadError = {
  code: string; message: string; fields: Record<string, string>; status: number;
  /** details.field_reasons: a stable reason per refused field, when the server gave one. */
  fieldReasons?: Record<string, string>;
};

export type UploadItem<F extends UploadFile = File> = {
  key: string;
  file: F;
  phase: UploadPhase;
  /** Where the next run starts: "request" for a new file; retries resume where they failed. */
  resume: UploadStep;
  loaded: number;
  total: number;
  mediaId?: number;
  /** The item as the server last answered it (pending, then scanning once completed). */
  media?: Media;
  signed?: SignedRequest;
  failedAt?: UploadStep;
  error?: UploadError;
};

export type UploadAction<F extends UploadFile = File> =
  | { type: "add"; items: { key: string; file: F }[] }
  | { type: "start"; key: string; step: UploadStep }
  | { type: "requested"; key: string; media: Media; signed: SignedRequest }
  | { type: "progress"; key: string; loaded: number; total: number }
  | { type: "sent"; key: string }
  | { type: "completed"; key: string; media: Media }
  | { type: "failed"; key: string; step: UploadStep; error: UploadError }
  | { type: "cancel"; key: string }
  | { type: "retry"; key: string; now: number }
  | { type: "remove"; key: string }
  | { type: "clear" };

/** The phase each step runs in. */
const phaseOf: Record<UploadStep, UploadPhase> = { request: "requesting", send: "sending", complete: "completing" };
export const activePhases: readonly UploadPhase[] = ["requesting", "sending", "completing"];
export const isActive = (i: Pick<UploadItem<UploadFile>, "phase">) => activePhases.includes(i.phase);

/** How many uploads run at once. */
export const maxParallel = 3;

/** A signed request is reused on retry while it has at least this long to live. */
const signedMargin = 60_000;

/** Where a retry starts: complete again, or send again while the signature lasts, else from the start. */
export function retryStep(item: Pick<UploadItem<UploadFile>, "failedAt" | "signed" | "mediaId" | "phase">, now: number): UploadStep {
  if (item.failedAt === "complete" && item.mediaId) return "complete";
  if ((item.failedAt === "send" || item.phase === "cancelled") && item.mediaId && item.signed && Date.parse(item.signed.expires_at) - now > signedMargin) return "send";
  return "request";
}

export function uploadReducer<F extends UploadFile>(state: UploadItem<F>[], a: UploadAction<F>): UploadItem<F>[] {
  // the same array back when nothing applies, so late or repeated actions change nothing
  const patch = (key: string, when: (i: UploadItem<F>) => boolean, p: (i: UploadItem<F>) => Partial<UploadItem<F>>) =>
    state.some((i) => i.key === key && when(i)) ? state.map((i) => (i.key === key && when(i) ? { ...i, ...p(i) } : i)) : state;
  switch (a.type) {
    case "add":
      return [...state, ...a.items.map((x): UploadItem<F> => ({ key: x.key, file: x.file, phase: "queued", resume: "request", loaded: 0, total: x.file.size }))];
    case "start":
      return patch(a.key, (i) => i.phase === "queued", () => ({ phase: phaseOf[a.step], error: undefined, failedAt: undefined, ...(a.step === "send" ? { loaded: 0 } : {}) }));
    // a late answer for an upload cancelled meanwhile changes nothing
    case "requested":
      return patch(a.key, (i) => i.phase === "requesting", () => ({ phase: "sending", mediaId: a.media.id, media: a.media, signed: a.signed, loaded: 0 }));
    case "progress":
      return patch(a.key, (i) => i.phase === "sending", () => ({ loaded: Math.min(a.loaded, a.total), total: a.total }));
    case "sent":
      return patch(a.key, (i) => i.phase === "sending", (i) => ({ phase: "completing", loaded: i.total }));
    case "completed":
      return patch(a.key, (i) => i.phase === "completing", (i) => ({ phase: "processing", media: a.media, loaded: i.total }));
    case "failed":
      return patch(a.key, (i) => i.phase === phaseOf[a.step], () => ({ phase: "error", failedAt: a.step, error: a.error }));
    case "cancel":
      return patch(a.key, (i) => i.phase === "queued" || isActive(i), () => ({ phase: "cancelled" }));
    case "retry":
      return patch(a.key, (i) => i.phase === "error" || i.phase === "cancelled", (i) => ({ phase: "queued", resume: retryStep(i, a.now), error: undefined }));
    case "remove": {
      const next = state.filter((i) => i.key !== a.key || isActive(i));
      return next.length === state.length ? state : next;
    }
    case "clear": {
      const next = state.filter((i) => isActive(i) || i.phase === "queued");
      return next.length === state.length ? state : next;
    }
  }
}

/** The next queued items to start, keeping at most maxParallel running. */
export function nextToStart<F extends UploadFile>(state: UploadItem<F>[]): UploadItem<F>[] {
  const free = maxParallel - state.filter(isActive).length;
  return free > 0 ? state.filter((i) => i.phase === "queued").slice(0, free) : [];
}

/** Percent of the bytes sent, 0 to 100. */
export function percentOf(i: Pick<UploadItem<UploadFile>, "phase" | "loaded" | "total">): number {
  if (i.phase === "completing" || i.phase === "processing") return 100;
  if (i.total <= 0) return 0;
  return Math.min(100, Math.floor((i.loaded / i.total) * 100));
}

export function toUploadError(e: unknown): UploadError {
  if (e instanceof ApiError) {
    const fieldReasons = Object.fromEntries(Object.keys(e.fields).map((f) => [f, e.fieldReason(f)]).filter(([, r]) => r));
    return { code: e.code, message: e.message, fields: e.fields, status: e.status, fieldReasons };
  }
  return { code: "NETWORK", message: String(e), fields: {}, status: 0 };
}

/** A signed URL on this server (local-disk storage) rather than another origin (S3). */
export function isSameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url, origin).origin === origin;
  } catch {
    return false;
  }
}

/** Headers the browser itself sets and refuses to be given. */
const forbidden = new Set(["content-length", "host", "connection", "expect", "transfer-encoding"]);

/**
 * The headers of the signed request, exactly as signed; a same-origin one
 * carries the session cookie, so it also carries the CSRF token (another
 * origin gets neither).
 */
export function uploadHeaders(req: Pick<SignedRequest, "headers" | "url">, origin: string, csrf: string): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) if (!forbidden.has(k.toLowerCase())) h[k] = v;
  if (isSameOrigin(req.url, origin) && csrf) h["X-CSRF-Token"] = csrf;
  return h;
}

/**
 * Sends the bytes with the signed request over XMLHttpRequest (fetch has no
 * upload progress). abort() rejects the promise with code "ABORTED".
 */
export function sendBytes(file: Blob, req: SignedRequest, csrf: string, onProgress: (loaded: number, total: number) => void): { done: Promise<void>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<void>((resolve, reject) => {
    xhr.open(req.method || "PUT", req.url);
    for (const [k, v] of Object.entries(uploadHeaders(req, window.location.origin, csrf))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      let body: unknown = undefined;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* storage answered with something other than the error envelope (S3's XML) */
      }
      reject(toApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, "NETWORK", "network error"));
    xhr.ontimeout = () => reject(new ApiError(0, "NETWORK", "timed out"));
    xhr.onabort = () => reject(new ApiError(0, "ABORTED", "cancelled"));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}
