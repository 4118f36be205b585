import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { runBulk } from "@/lib/bulk";
import type { ErrorCatalogue } from "@/lib/errors";
import type { UrlCodec } from "@/lib/urlState";

/** A post as GET /api/posts lists it (the generated schema's Summary: no body). */
export type PostSummary = Schemas["Summary"];
export type PostStatus = PostSummary["status"];
export type PostLang = PostSummary["lang"];

/** Every status, in the workflow's order (API.md §8). */
const statusNames: Record<PostStatus, true> = { draft: true, in_review: true, scheduled: true, published: true, archived: true };
export const postStatuses = Object.keys(statusNames) as PostStatus[];

/** The list's tabs: every status, or all of them. */
export type PostTab = "all" | PostStatus;
export const postTabs: readonly PostTab[] = ["all", ...postStatuses];

/** The columns GET /api/posts sorts by (the posts lane's brief: id, created_at, updated_at, published_at, title). */
export const sortablePostColumns = ["title", "updated_at", "published_at", "created_at"] as const;
type SortColumn = (typeof sortablePostColumns)[number];
export type PostSort = SortColumn | `-${SortColumn}`;
const sorts = sortablePostColumns.flatMap((c) => [c, `-${c}`]) as PostSort[];

export const postPageSizes = [10, 20, 50, 100];

/** The list's state, as kept in the URL. */
export type PostFilters = {
  tab: PostTab;
  lang: "" | PostLang;
  tag: string;
  category: string;
  /** a user id, as typed; "" for anyone */
  author: string;
  q: string;
  sort: PostSort;
  page: number;
  pageSize: number;
};

export const defaultPostFilters: PostFilters = { tab: "all", lang: "", tag: "", category: "", author: "", q: "", sort: "-updated_at", page: 1, pageSize: 20 };

export function postFiltersFromSearch(sp: URLSearchParams): PostFilters {
  const int = (v: string | null) => (v && /^\d+$/.test(v) ? Number(v) : 0);
  const status = sp.get("status") ?? "";
  const lang = sp.get("lang");
  const sort = sp.get("sort") ?? "";
  const size = int(sp.get("page_size"));
  const author = sp.get("author") ?? "";
  return {
    tab: (postTabs as readonly string[]).includes(status) ? (status as PostTab) : "all",
    lang: lang === "fa" || lang === "en" ? lang : "",
    tag: (sp.get("tag") ?? "").slice(0, 100),
    category: (sp.get("category") ?? "").slice(0, 100),
    author: /^[1-9]\d{0,15}$/.test(author) ? author : "",
    q: (sp.get("q") ?? "").slice(0, 200),
    sort: (sorts as string[]).includes(sort) ? (sort as PostSort) : defaultPostFilters.sort,
    page: Math.max(1, int(sp.get("page")) || 1),
    pageSize: postPageSizes.includes(size) ? size : defaultPostFilters.pageSize,
  };
}

export function postFiltersToSearch(f: PostFilters): string {
  const sp = new URLSearchParams();
  if (f.tab !== "all") sp.set("status", f.tab);
  if (f.lang) sp.set("lang", f.lang);
  if (f.tag) sp.set("tag", f.tag);
  if (f.category) sp.set("category", f.category);
  if (f.author) sp.set("author", f.author);
  if (f.q) sp.set("q", f.q);
  if (f.sort !== defaultPostFilters.sort) sp.set("sort", f.sort);
  if (f.page !== 1) sp.set("page", String(f.page));
  if (f.pageSize !== defaultPostFilters.pageSize) sp.set("page_size", String(f.pageSize));
  return sp.toString();
}

export const postFiltersCodec: UrlCodec<PostFilters> = { parse: postFiltersFromSearch, serialize: postFiltersToSearch };

/** GET /api/posts's query for the filters (API.md §8; author is author_id there). */
export function postsApiQuery(f: PostFilters) {
  return {
    status: f.tab === "all" ? undefined : [f.tab],
    lang: f.lang || undefined,
    tag: f.tag.trim() || undefined,
    category: f.category.trim() || undefined,
    author_id: f.author ? Number(f.author) : undefined,
    q: f.q.trim() || undefined,
    sort: f.sort,
    page: f.page,
    page_size: f.pageSize,
  };
}

/** ["posts", …]: what the "posts" event invalidates (lib/events resourceKeys). */
export const postListKeys = {
  all: ["posts"] as const,
  list: (f: PostFilters) => ["posts", "list", f] as const,
};

export const postsListQuery = (f: PostFilters) =>
  queryOptions({
    queryKey: postListKeys.list(f),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/posts", { signal, params: { query: postsApiQuery(f) }, querySerializer: { array: { style: "form", explode: true } } }))).data,
  });

export const usePosts = (f: PostFilters) => useQuery(postsListQuery(f));

/** Archives one post: POST /api/posts/{id}/transition {"to":"archived"}. */
export async function archivePost(id: number) {
  return (await unwrap(api.POST("/api/posts/{id}/transition", { params: { path: { id } }, body: { to: "archived" } }))).data;
}

/**
 * Archives each post in turn; a refused one (already archived, someone moved
 * it meanwhile, no permission) is reported and the rest are still archived.
 */
export function useBulkArchivePosts() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (posts: PostSummary[]) => runBulk(posts, (p) => archivePost(p.id)),
    onSettled: () => qc.invalidateQueries({ queryKey: postListKeys.all }),
  });
}

/** Why one post of a bulk archive was refused. */
export const postArchiveErrors: ErrorCatalogue = {
  codes: {
    INVALID_TRANSITION: (t, e) => t("posts.bulk.notAllowed", { from: t(`posts.status.${e.details.from as PostStatus}`) }),
    NOT_FOUND: "posts.bulk.gone",
  },
};
