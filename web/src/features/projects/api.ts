import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { request } from "@/lib/api/request";
import type { ErrorCatalogue } from "@/lib/errors";
import type { UrlCodec } from "@/lib/urlState";
import { applyOrder } from "./reorder";
import { projectStatuses, type Project, type ProjectInput, type ProjectLang, type ProjectPage, type ProjectStatus } from "./types";

export type Media = Schemas["Media"];

/** ["projects", …]: what the "projects" event invalidates (lib/events resourceKeys). */
export const projectKeys = {
  all: ["projects"] as const,
  ordered: ["projects", "ordered"] as const,
  detail: (id: number) => ["projects", "detail", id] as const,
};

/** The most projects the portfolio screen loads (it needs every one to send the full order). */
export const maxProjects = 1000;

/**
 * Every project in the manual order (GET /api/projects sorted by position,
 * page after page): PUT /api/projects/order takes the full order, so the
 * screen holds all of them and filters on screen.
 */
export async function fetchAllProjects(signal?: AbortSignal): Promise<Project[]> {
  const out: Project[] = [];
  for (let page = 1; out.length < maxProjects; page++) {
    const { data } = await request<ProjectPage>("GET", "/api/projects", { signal, query: { sort: "position", page, page_size: 100 } });
    out.push(...data.items);
    if (page >= data.total_pages || data.items.length === 0) break;
  }
  return out;
}

export const orderedProjectsQuery = () => queryOptions({ queryKey: projectKeys.ordered, queryFn: ({ signal }) => fetchAllProjects(signal) });
export const useOrderedProjects = () => useQuery(orderedProjectsQuery());

/**
 * Saves the manual order (PUT /api/projects/order {"ids"}) optimistically:
 * the screen shows the new order at once; if the server refuses, the order
 * it showed before comes back and the error is the mutation's. Either way
 * the list is read again afterwards.
 */
export function useSaveProjectOrder() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (ids: number[]) => (await request<unknown>("PUT", "/api/projects/order", { body: { ids } })).data,
    onMutate: async (ids) => {
      await qc.cancelQueries({ queryKey: projectKeys.ordered });
      const before = qc.getQueryData<Project[]>(projectKeys.ordered);
      if (before) qc.setQueryData<Project[]>(projectKeys.ordered, applyOrder(before, ids, (p) => p.id).map((p, i) => ({ ...p, position: i + 1 })));
      return { before };
    },
    onError: (_e, _ids, ctx) => {
      if (ctx?.before) qc.setQueryData(projectKeys.ordered, ctx.before);
    },
    // not awaited: the caller hears of a refusal at once, not after the list is read again
    onSettled: () => void qc.invalidateQueries({ queryKey: projectKeys.ordered }),
  });
}

/** Stars or unstars a project (PATCH {"featured"}), optimistically like the order. */
export function useSetFeatured() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { id: number; featured: boolean }) => (await request<Project>("PATCH", `/api/projects/${v.id}`, { body: { featured: v.featured } })).data,
    onMutate: async (v) => {
      await qc.cancelQueries({ queryKey: projectKeys.ordered });
      const before = qc.getQueryData<Project[]>(projectKeys.ordered);
      if (before) qc.setQueryData<Project[]>(projectKeys.ordered, before.map((p) => (p.id === v.id ? { ...p, featured: v.featured } : p)));
      return { before };
    },
    onError: (_e, _v, ctx) => {
      if (ctx?.before) qc.setQueryData(projectKeys.ordered, ctx.before);
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: projectKeys.all }),
  });
}

/** The portfolio's filters, kept in the URL; applied on screen to the full, ordered list. */
export type ProjectFilters = { status: "" | ProjectStatus; lang: "" | ProjectLang; featured: boolean; tag: string; q: string };
export const defaultProjectFilters: ProjectFilters = { status: "", lang: "", featured: false, tag: "", q: "" };

export const projectFiltersCodec: UrlCodec<ProjectFilters> = {
  parse: (sp) => {
    const status = sp.get("status") ?? "";
    const lang = sp.get("lang");
    return {
      status: (projectStatuses as readonly string[]).includes(status) ? (status as ProjectStatus) : "",
      lang: lang === "fa" || lang === "en" ? lang : "",
      featured: sp.get("featured") === "true",
      tag: (sp.get("tag") ?? "").slice(0, 100),
      q: (sp.get("q") ?? "").slice(0, 200),
    };
  },
  serialize: (f) => {
    const sp = new URLSearchParams();
    if (f.status) sp.set("status", f.status);
    if (f.lang) sp.set("lang", f.lang);
    if (f.featured) sp.set("featured", "true");
    if (f.tag) sp.set("tag", f.tag);
    if (f.q) sp.set("q", f.q);
    return sp.toString();
  },
};

/** Lower case, Arabic forms folded to Persian, ZWNJ and spaces single: good enough to find a title on screen. */
export const foldText = (s: string) => s.toLowerCase().replace(/ي/g, "ی").replace(/ك/g, "ک").replace(/[\u200c\s]+/g, " ").trim();

/**
 * Whether a project passes the filters. q matches on screen (a part of the
 * title, slug, client or summary) or, once found is given, when the
 * server's search index found the project (found: GET /api/projects?q=,
 * which folds every Persian spelling and reads the body too).
 */
export function matchesProject(p: Project, f: ProjectFilters, found?: ReadonlySet<number>): boolean {
  if (f.status && p.status !== f.status) return false;
  if (f.lang && p.lang !== f.lang) return false;
  if (f.featured && !p.featured) return false;
  if (f.tag && !p.tags.some((x) => foldText(x) === foldText(f.tag))) return false;
  if (f.q && !found?.has(p.id)) {
    const q = foldText(f.q);
    if (![p.title, p.slug, p.client, p.summary].some((x) => foldText(x ?? "").includes(q))) return false;
  }
  return true;
}

/** The ids of the projects the server's search finds for q (GET /api/projects?q=, page after page). */
export const projectSearchQuery = (q: string) =>
  queryOptions({
    queryKey: ["projects", "search", q] as const,
    queryFn: async ({ signal }) => {
      const ids = new Set<number>();
      for (let page = 1; ids.size < maxProjects; page++) {
        const { data } = await request<ProjectPage>("GET", "/api/projects", { signal, query: { q, page, page_size: 100 } });
        for (const p of data.items) ids.add(p.id);
        if (page >= data.total_pages || data.items.length === 0) break;
      }
      return ids as ReadonlySet<number>;
    },
  });

export const projectQuery = (id: number) =>
  queryOptions({
    queryKey: projectKeys.detail(id),
    queryFn: async ({ signal }) => {
      const { data, response } = await request<Project>("GET", `/api/projects/${id}`, { signal });
      return { project: data, etag: response.headers.get("ETag") ?? "" };
    },
  });

/** The project and its ETag. Not refetched on focus: the editor holds a form over it, and If-Match finds a change made meanwhile. */
export const useProject = (id: number) => useQuery({ ...projectQuery(id), enabled: id > 0, refetchOnWindowFocus: false });

/**
 * The form as the API takes it. An absent (or null) field is left as it is,
 * so on an update an emptied date is sent as "" and a removed cover as 0
 * (the projects API's "clear"); on a creation empty ones are left out (an
 * empty slug is made from the title).
 */
export function toWire(input: ProjectInput, mode: "create" | "update"): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  if (mode === "update") {
    out.started_on = input.started_on ?? "";
    out.ended_on = input.ended_on ?? "";
    out.cover_media_id = input.cover_media_id ?? 0;
  } else {
    for (const k of ["started_on", "ended_on", "cover_media_id"] as const) if (input[k] === null || input[k] === "") delete out[k];
  }
  if (!input.slug.trim()) delete out.slug;
  return out;
}

export async function createProject(input: ProjectInput): Promise<Project> {
  return (await request<Project>("POST", "/api/projects", { body: toWire(input, "create") })).data;
}

/** Saves the form with If-Match: a change made meanwhile is a 412, never overwritten. */
export async function saveProject(id: number, input: ProjectInput, etag: string): Promise<{ project: Project; etag: string }> {
  const { data, response } = await request<Project>("PATCH", `/api/projects/${id}`, { body: toWire(input, "update"), headers: etag ? { "If-Match": etag } : {} });
  return { project: data, etag: response.headers.get("ETag") ?? "" };
}

export async function transitionProject(id: number, to: ProjectStatus): Promise<Project> {
  return (await request<Project>("POST", `/api/projects/${id}/transition`, { body: { to } })).data;
}

export async function deleteProject(id: number, etag: string): Promise<void> {
  await request<unknown>("DELETE", `/api/projects/${id}`, { headers: etag ? { "If-Match": etag } : {} });
}

/**
 * Deletes a project (DELETE with the If-Match of the version the user
 * confirmed). On success it leaves the ordered list at once, so the screen
 * can put focus where the row was; the list is read again afterwards.
 */
export function useDeleteProject() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: number; etag: string }) => deleteProject(v.id, v.etag),
    onSuccess: (_r, v) => {
      qc.setQueryData<Project[]>(projectKeys.ordered, (list) => list?.filter((p) => p.id !== v.id));
      qc.removeQueries({ queryKey: projectKeys.detail(v.id) });
      void qc.invalidateQueries({ queryKey: projectKeys.all });
    },
  });
}

/** POST /api/content/render: the server's one renderer, for the preview (its HTML is sanitised there). */
export async function renderMarkdown(markdown: string, signal?: AbortSignal): Promise<string> {
  return (await request<{ html: string }>("POST", "/api/content/render", { body: { markdown }, signal })).data.html;
}

/** Where a status may go (content.ProjectWorkflow), unless the server said (allowed_next). */
const workflow: Record<ProjectStatus, ProjectStatus[]> = { draft: ["published", "archived"], published: ["draft", "archived"], archived: ["draft"] };
export const nextStatuses = (p: Pick<Project, "status" | "allowed_next">): ProjectStatus[] => p.allowed_next ?? workflow[p.status] ?? [];

/** Ready images of the media library, newest first, for the cover and gallery pickers. */
export const readyImagesQuery = (q: string, page: number) =>
  queryOptions({
    queryKey: ["media", "ready-images", q, page] as const,
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/media", { signal, params: { query: { kind: "image", status: "ready", q: q.trim() || undefined, page, page_size: 24 } } }))).data,
  });

export const mediaItemQuery = (id: number) =>
  queryOptions({
    queryKey: ["media", "detail", id] as const,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/media/{id}", { signal, params: { path: { id } } }))).data,
  });

/** The thumbnail of about this many pixels, if the item has one. */
export function thumbnailOf(m: Pick<Media, "thumbnails">, side: "256" | "1024" = "256"): string | null {
  const th = m.thumbnails ?? {};
  return th[side] ?? th["1024"] ?? th["256"] ?? null;
}

/** Why a save, a move or a deletion was refused, in the user's words. */
export const projectErrors: ErrorCatalogue = {
  codes: {
    PRECONDITION_FAILED: "projects.err.stale",
    INVALID_TRANSITION: (t, e) => t("projects.err.transition", { from: t(`projects.status.${e.details.from as ProjectStatus}`), to: t(`projects.status.${e.details.to as ProjectStatus}`) }),
    NOT_FOUND: "projects.err.gone",
    CONFLICT: "projects.err.conflict",
    VALIDATION_FAILED: "projects.err.invalid",
  },
};

/** Why the order was refused: someone added or removed a project meanwhile (422: not every id once). */
export const orderErrors: ErrorCatalogue = {
  codes: { VALIDATION_FAILED: "projects.err.orderStale", CONFLICT: "projects.err.orderStale" },
};

/** Why a deletion was refused: the generic words, and for a 403 that a published project needs the publish permission too. */
export const deleteErrors: ErrorCatalogue = {
  codes: { ...projectErrors.codes, PRECONDITION_FAILED: "projects.err.staleDelete", PERMISSION_DENIED: "projects.err.deleteForbidden" },
};
