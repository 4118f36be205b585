import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { dayStart } from "@/lib/day";
import type { UrlCodec } from "@/lib/urlState";

export type Media = Schemas["Media"];
export type MediaText = Schemas["Text"];
export type SignedRequest = Schemas["SignedRequest"];
export type UploadResult = Schemas["UploadResult"];

/** The kinds and statuses the API filters by (API.md section 5). */
export const mediaKinds = ["image", "video", "audio", "document"] as const;
export const mediaStatuses = ["pending", "scanning", "ready", "rejected", "failed"] as const;
export type MediaKind = (typeof mediaKinds)[number];
export type MediaStatus = (typeof mediaStatuses)[number];
export const isMediaStatus = (s: string): s is MediaStatus => (mediaStatuses as readonly string[]).includes(s);
export const isMediaKind = (s: string): s is MediaKind => (mediaKinds as readonly string[]).includes(s);

/** The library's filters and view, as kept in the URL. */
export type MediaFilters = {
  page: number;
  pageSize: number;
  view: "grid" | "list";
  kind: MediaKind | "";
  status: MediaStatus | "";
  q: string;
  from: string; // yyyy-mm-dd
  to: string; // yyyy-mm-dd, inclusive in the UI
};

export const defaultMediaFilters: MediaFilters = { page: 1, pageSize: 24, view: "grid", kind: "", status: "", q: "", from: "", to: "" };
export const mediaPageSizes = [12, 24, 48, 96];

export function mediaFiltersFromSearch(sp: URLSearchParams): MediaFilters {
  const int = (v: string | null, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);
  const day = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : "");
  const size = int(sp.get("page_size"), defaultMediaFilters.pageSize);
  const kind = sp.get("kind") ?? "";
  const status = sp.get("status") ?? "";
  return {
    page: Math.max(1, int(sp.get("page"), 1)),
    pageSize: mediaPageSizes.includes(size) ? size : defaultMediaFilters.pageSize,
    view: sp.get("view") === "list" ? "list" : "grid",
    kind: isMediaKind(kind) ? kind : "",
    status: isMediaStatus(status) ? status : "",
    q: (sp.get("q") ?? "").slice(0, 200),
    from: day(sp.get("from")),
    to: day(sp.get("to")),
  };
}

export function mediaFiltersToSearch(f: MediaFilters): string {
  const sp = new URLSearchParams();
  if (f.view !== "grid") sp.set("view", f.view);
  if (f.page !== 1) sp.set("page", String(f.page));
  if (f.pageSize !== defaultMediaFilters.pageSize) sp.set("page_size", String(f.pageSize));
  if (f.kind) sp.set("kind", f.kind);
  if (f.status) sp.set("status", f.status);
  if (f.q) sp.set("q", f.q);
  if (f.from) sp.set("from", f.from);
  if (f.to) sp.set("to", f.to);
  return sp.toString();
}

/** The library's state in the URL (useUrlState). */
export const mediaFiltersCodec: UrlCodec<MediaFilters> = { parse: mediaFiltersFromSearch, serialize: mediaFiltersToSearch };

/** The API's query for the filters; "to" is inclusive in the UI, exclusive in the API. */
export function mediaApiQuery(f: MediaFilters) {
  return {
    kind: f.kind || undefined,
    status: f.status || undefined,
    q: f.q.trim() || undefined,
    from: dayStart(f.from),
    to: dayStart(f.to, 1),
    page: f.page,
    page_size: f.pageSize,
  };
}

export const mediaKeys = {
  all: ["media"] as const,
  list: (f: MediaFilters) => ["media", "list", f] as const,
  detail: (id: number) => ["media", "detail", id] as const,
};

export const mediaListQuery = (f: MediaFilters) =>
  queryOptions({
    queryKey: mediaKeys.list(f),
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/media", { signal, params: { query: mediaApiQuery(f) } }))).data,
  });

export const useMediaList = (f: MediaFilters) => useQuery(mediaListQuery(f));

export const mediaQuery = (id: number) =>
  queryOptions({
    queryKey: mediaKeys.detail(id),
    queryFn: async ({ signal }) => {
      const { data, response } = await unwrap(api.GET("/api/media/{id}", { signal, params: { path: { id } } }));
      return { media: data, etag: response.headers.get("ETag") ?? "" };
    },
  });

/** One item, kept live by the "media" events like every other query. */
export const useMedia = (id: number, enabled = true) => useQuery({ ...mediaQuery(id), enabled: enabled && id > 0 });

/** Changes titles and alt text, sending If-Match with the ETag the form was filled from. */
export function useUpdateMedia(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { title: MediaText; alt: MediaText; etag: string }) =>
      (
        await unwrap(
          api.PATCH("/api/media/{id}", {
            params: { path: { id }, header: v.etag ? { "If-Match": v.etag } : {} },
            body: { title: v.title, alt: v.alt },
          }),
        )
      ).data,
    onSettled: () => qc.invalidateQueries({ queryKey: mediaKeys.all }),
  });
}

export function useDeleteMedia() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => {
      await unwrap(api.DELETE("/api/media/{id}", { params: { path: { id } } }));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: mediaKeys.all }),
  });
}

/** The most ids one bulk delete takes. */
export const maxBulkDelete = 100;

export function useBulkDeleteMedia() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (ids: number[]) => (await unwrap(api.POST("/api/media/bulk-delete", { body: { ids: ids.slice(0, maxBulkDelete) } }))).data.deleted,
    onSettled: () => qc.invalidateQueries({ queryKey: mediaKeys.all }),
  });
}

/** Records a pending item and gets the signed request for its bytes. */
export async function requestUpload(file: { name: string; type: string; size: number }, signal?: AbortSignal): Promise<UploadResult> {
  return (await unwrap(api.POST("/api/media/upload", { signal, body: { filename: file.name, content_type: file.type || "application/octet-stream", size: file.size } }))).data;
}

/** The bytes arrived: the server scans and processes the item. */
export async function completeUpload(id: number, signal?: AbortSignal): Promise<Media> {
  return (await unwrap(api.POST("/api/media/{id}/complete", { signal, params: { path: { id } } }))).data;
}

/** The thumbnail of about this many pixels, if the item has one. */
export function thumbnailOf(m: Pick<Media, "thumbnails">, side: "256" | "1024"): string | null {
  const th = m.thumbnails ?? {};
  return th[side] ?? th["1024"] ?? th["256"] ?? null;
}
