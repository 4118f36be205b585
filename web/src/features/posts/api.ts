import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, getCsrfToken, toApiError, unwrap } from "@/lib/api/client";
import type { ErrorCatalogue } from "@/lib/errors";
import { emptyForm, formFromSnapshot } from "./form";
import { mergeFields, valueOf, type MergeField } from "./merge";
import type {
  Autosave, AutosaveInput, DiffOp, Post, PostInput, PostPage, PostPatch, PostRevision, PostRevisionDetail, PostStatus, Presence, PreviewLink,
  RenderResult, RevisionDiff, TransitionInput,
} from "./types";

/**
 * The blog's calls. The posts routes are not in the generated schema yet
 * (types.ts mirrors API.md §8), so they go through `call`, which keeps the
 * typed client's conventions: same origin, JSON, the CSRF token on unsafe
 * methods, errors as ApiError (a network failure as code NETWORK). The
 * integrator moves these onto `api.GET/POST…` with the generated types.
 */
export async function call<T>(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  opts: { body?: unknown; ifMatch?: string; signal?: AbortSignal; query?: Record<string, string | number | undefined> } = {},
): Promise<{ data: T; response: Response }> {
  const origin = typeof window !== "undefined" ? window.location.origin : "http://localhost";
  const url = new URL(path, origin);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
  const headers = new Headers({ Accept: "application/json" });
  if (opts.body !== undefined) headers.set("Content-Type", "application/json");
  if (method !== "GET" && getCsrfToken()) headers.set("X-CSRF-Token", getCsrfToken());
  if (opts.ifMatch) headers.set("If-Match", opts.ifMatch);
  const req = new Request(url, { method, headers, credentials: "same-origin", signal: opts.signal, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  let res: Response;
  try {
    res = await globalThis.fetch(req);
  } catch (e) {
    if (opts.signal?.aborted) throw e; // a cancelled request is not a network failure
    throw new ApiError(0, "NETWORK", "network error");
  }
  const text = res.status === 204 ? "" : await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) throw toApiError(res.status, body);
  return { data: body as T, response: res };
}

const etagOf = (r: Response) => r.headers.get("ETag") ?? "";

export const postKeys = {
  all: ["posts"] as const,
  detail: (id: number) => ["posts", "detail", id] as const,
  revisions: (id: number) => ["posts", "revisions", id] as const,
  revisionDiff: (id: number, from: number, to: number) => ["posts", "revisions", id, "diff", from, to] as const,
  autosave: (id: number) => ["posts", "autosave", id] as const,
  presence: (id: number) => ["posts", "presence", id] as const,
  search: (lang: string, q: string) => ["posts", "search", lang, q] as const,
};

export type PostWithEtag = { post: Post; etag: string };

export async function fetchPost(id: number, signal?: AbortSignal): Promise<PostWithEtag> {
  const { data, response } = await call<Post>("GET", `/api/posts/${id}`, { signal });
  return { post: data, etag: etagOf(response) };
}

export const postQuery = (id: number) => queryOptions({ queryKey: postKeys.detail(id), queryFn: ({ signal }) => fetchPost(id, signal) });

/** The post, kept live by the "posts" events (the editor compares it with the version it started from). */
export const usePost = (id: number) => useQuery({ ...postQuery(id), enabled: id > 0 });

/** POST /api/posts → the new post (201). */
export async function createPost(input: PostInput): Promise<Post> {
  return (await call<Post>("POST", "/api/posts", { body: input })).data;
}

/**
 * PATCH with If-Match: a save made meanwhile by someone else is a 412,
 * never overwritten. Answers the saved post and its new ETag (read again
 * when the answer carries none).
 */
export async function savePost(id: number, patch: PostPatch, etag: string): Promise<PostWithEtag> {
  const { data, response } = await call<Post>("PATCH", `/api/posts/${id}`, { body: patch, ifMatch: etag || undefined });
  const fresh = etagOf(response);
  return fresh ? { post: data, etag: fresh } : fetchPost(id);
}

/**
 * A workflow move, with If-Match: the move is made to the version the user
 * saw (a save made meanwhile is a 412, not published unseen).
 */
export function useTransition(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: TransitionInput & { etag: string }) =>
      (await call<Post>("POST", `/api/posts/${id}/transition`, { body: v.at ? { to: v.to, at: v.at } : { to: v.to }, ifMatch: v.etag || undefined })).data,
    onSettled: () => qc.invalidateQueries({ queryKey: postKeys.all }),
  });
}

/** Puts a published post's saved working copy live (POST …/publish-changes, If-Match): published → published is not a workflow move. */
export function usePublishChanges(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { etag: string }) => (await call<Post>("POST", `/api/posts/${id}/publish-changes`, { ifMatch: v.etag || undefined })).data,
    onSettled: () => qc.invalidateQueries({ queryKey: postKeys.all }),
  });
}

export const useRevisions = (id: number, enabled = true) =>
  useQuery({
    queryKey: postKeys.revisions(id),
    enabled: enabled && id > 0,
    queryFn: async ({ signal }) => (await call<{ items: PostRevision[] }>("GET", `/api/posts/${id}/revisions`, { signal, query: { page_size: 100 } })).data.items,
  });

export async function fetchRevision(id: number, rev: number, signal?: AbortSignal): Promise<PostRevisionDetail> {
  return (await call<PostRevisionDetail>("GET", `/api/posts/${id}/revisions/${rev}`, { signal })).data;
}

/** A field other than the body that differs between two revisions. */
export type FieldChange = { field: MergeField; from: unknown; to: unknown };

/** The fields the server's diff compares word by word, beside the body. */
export const wordDiffFields = ["title", "excerpt"] as const;

/**
 * What changed between two revisions (GET …/revisions/diff?from=&to=): the body, the title and
 * the excerpt as the server's word diffs (a word is changed whole, never marked inside), and
 * every other field that differs, from the two snapshots.
 */
export function useRevisionDiff(id: number, from: number, to: number) {
  return useQuery({
    queryKey: postKeys.revisionDiff(id, from, to),
    enabled: id > 0 && from > 0 && to > 0 && from !== to,
    queryFn: async ({ signal }) => {
      const [a, b, diff] = await Promise.all([
        fetchRevision(id, from, signal),
        fetchRevision(id, to, signal),
        call<RevisionDiff>("GET", `/api/posts/${id}/revisions/diff`, { signal, query: { from, to } }),
      ]);
      const fa = formFromSnapshot(emptyForm("fa"), a.snapshot ?? {}), fb = formFromSnapshot(emptyForm("fa"), b.snapshot ?? {});
      // tags and categories are sets (the server keeps them by name): the same ones in another order are no change
      const comparable = (f: MergeField, v: unknown) => (f === "tags" || f === "categories") && Array.isArray(v) ? [...v].map(String).sort() : v;
      const fields: FieldChange[] = mergeFields
        .filter((f) => f !== "body_md" && !(wordDiffFields as readonly string[]).includes(f))
        .map((f) => ({ field: f, from: valueOf(fa, f), to: valueOf(fb, f) }))
        .filter((c) => JSON.stringify(comparable(c.field, c.from)) !== JSON.stringify(comparable(c.field, c.to)));
      const changed = (ops: DiffOp[] | undefined) => (ops ?? []).some((o) => o.kind !== "equal");
      const words = wordDiffFields.filter((f) => changed(diff.data[f])).map((f) => ({ field: f, ops: diff.data[f] }));
      return { ops: diff.data.ops ?? [], words, fields };
    },
  });
}

/** Restores a revision (If-Match): the server makes it a new revision. */
export function useRestoreRevision(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { rev: number; etag: string }) =>
      (await call<Post>("POST", `/api/posts/${id}/revisions/${v.rev}/restore`, { ifMatch: v.etag || undefined })).data,
    onSettled: () => qc.invalidateQueries({ queryKey: postKeys.all }),
  });
}

export async function putAutosave(id: number, input: AutosaveInput): Promise<void> {
  await call<unknown>("PUT", `/api/posts/${id}/autosave`, { body: input });
}

/** The caller's own autosave of the post, null when there is none (404). */
export async function fetchAutosave(id: number, signal?: AbortSignal): Promise<Autosave | null> {
  try {
    return (await call<Autosave>("GET", `/api/posts/${id}/autosave`, { signal })).data;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** How often the editor says it still has the post open. */
export const presenceInterval = 15_000;

/**
 * Who else has the post open: a heartbeat (PUT …/presence) every 15 s,
 * and again whenever a "posts" event invalidates ["posts", …] (someone came
 * or left). Its answer is the others.
 */
export const usePresence = (id: number) =>
  useQuery({
    queryKey: postKeys.presence(id),
    enabled: id > 0,
    refetchInterval: presenceInterval,
    refetchIntervalInBackground: true,
    retry: false,
    queryFn: async ({ signal }) => (await call<Presence>("PUT", `/api/posts/${id}/presence`, { signal })).data.editors ?? [],
  });

/** Leaving the editor: the others see it at once instead of after the presence window. */
export function leavePresence(id: number) {
  void call("DELETE", `/api/posts/${id}/presence`).catch(() => {});
}

export const usePreviewLink = (id: number) =>
  useMutation({ mutationFn: async () => (await call<PreviewLink>("POST", `/api/posts/${id}/preview-link`, { body: {} })).data });

/** The one renderer (server-side, sanitised there). A superseded request is cancelled through signal. */
export async function renderMarkdown(markdown: string, signal?: AbortSignal): Promise<string> {
  return (await call<RenderResult>("POST", "/api/content/render", { body: { markdown }, signal })).data.html;
}

/** Ready images of the media library, for the pickers (newest first, as the library lists them). */
export const useReadyImages = (q: string, page: number) =>
  useQuery({
    queryKey: ["media", "picker", q, page],
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/media", { signal, params: { query: { kind: "image", status: "ready", q: q.trim() || undefined, page, page_size: 24 } } }))).data,
  });

/** One media item (a picked cover's thumbnail); null when it is gone or not visible. */
export const useMediaItem = (id: number | null) =>
  useQuery({
    queryKey: ["media", "detail", id ?? 0],
    enabled: !!id,
    retry: false,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/media/{id}", { signal, params: { path: { id: id! } } }))).data,
  });

/** Users to pick authors from (needs users.view). */
export const useUserSearch = (q: string, enabled: boolean) =>
  useQuery({
    queryKey: ["users", "authors", q],
    enabled,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/users", { signal, params: { query: { q: q.trim() || undefined, page_size: 10 } } }))).data.items,
  });

/** Posts in a language, to link a translation. */
export const usePostSearch = (lang: string, q: string, enabled: boolean) =>
  useQuery({
    queryKey: postKeys.search(lang, q),
    enabled,
    queryFn: async ({ signal }) => (await call<PostPage>("GET", "/api/posts", { signal, query: { lang, q: q.trim() || undefined, page_size: 10 } })).data.items,
  });

/** What the editor can say about its refusals, by the contract's stable names. */
export const postErrors: ErrorCatalogue = {
  codes: {
    NOT_FOUND: "post.err.gone",
    PRECONDITION_FAILED: "post.err.stale",
    CONFLICT: "post.err.conflict",
    VALIDATION_FAILED: "post.err.invalid",
    INVALID_TRANSITION: (t, e) =>
      t("post.err.transition", { from: t(`post.status.${e.details.from as PostStatus}`), to: t(`post.status.${e.details.to as PostStatus}`) }),
  },
};
