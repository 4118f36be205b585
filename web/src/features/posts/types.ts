/**
 * The blog's request and response shapes.
 *
 * Mirrors API.md §8 until the generated schema has them: the integrator swaps
 * these for the components["schemas"] the posts routes generate (checked
 * against the posts branch's web/openapi.json): Post → Post, PostInput →
 * Snapshot (and Input, its all-optional PATCH/POST form), PostRevision →
 * Revision, PostRevisionDetail → RevisionDetail, Autosave → Autosave,
 * AutosaveInput → AutosaveInput, Presence → Presence, PreviewLink →
 * PreviewLink, RenderResult → Rendered, TransitionInput → TransitionInput.
 * The revision diff (RevisionDiff) is not served yet: api.ts compares the
 * two revisions here until it is.
 */

export type PostLang = "fa" | "en";
export type PostStatus = "draft" | "in_review" | "scheduled" | "published" | "archived";

/** Every status, in the workflow's order (API.md §8). */
export const postStatuses: readonly PostStatus[] = ["draft", "in_review", "scheduled", "published", "archived"];

export type PostAuthor = { id: number; name: string };

export type PostSeo = {
  title: string;
  description: string;
  canonical_url: string;
  og_image_media_id: number | null;
};

/** A post as GET /api/posts/{id} answers it. body_html is rendered and sanitised by the server. */
export type Post = {
  id: number;
  title: string;
  slug: string;
  lang: PostLang;
  body_md: string;
  body_html: string;
  excerpt: string;
  cover_media_id: number | null;
  tags: string[];
  categories: string[];
  authors: PostAuthor[];
  status: PostStatus;
  publish_at: string | null;
  unpublish_at: string | null;
  published_at: string | null;
  seo: PostSeo;
  translation_of: number | null;
  revision: number;
  created_at: string;
  updated_at: string;
  /** extension (as orders): the statuses this post may move to next. */
  allowed_next?: PostStatus[];
  /** extension: the revision the website shows (null: not live); below revision when there are unpublished changes. */
  live_revision?: number | null;
};

/**
 * What the editor sends on POST /api/posts and PATCH /api/posts/{id}: the
 * writable fields (never body_html). authors are user ids.
 */
export type PostInput = {
  title: string;
  slug: string;
  lang: PostLang;
  body_md: string;
  excerpt: string;
  cover_media_id: number | null;
  tags: string[];
  categories: string[];
  authors: number[];
  seo: PostSeo;
  translation_of: number | null;
};

/** PATCH's body: the fields plus why (kept with the revision). */
export type PostPatch = PostInput & { revision_reason?: string };

/** POST /api/posts/{id}/transition. `at` is required for "scheduled", and for a scheduled unpublish ({to: "draft", at}). */
export type TransitionInput = { to: PostStatus; at?: string };

/** One entry of GET /api/posts/{id}/revisions (newest first). */
export type PostRevision = {
  number: number;
  author: PostAuthor | null;
  reason: string;
  created_at: string;
};

/** GET /api/posts/{id}/revisions/{rev}: the entry and the post as it was then. */
export type PostRevisionDetail = PostRevision & { snapshot: Partial<PostInput> };

/** extension: GET /api/posts/{id}/revisions/diff?from=&to= (word level, textdiff.Words). */
export type DiffOpKind = "equal" | "insert" | "delete";
export type DiffOp = { kind: DiffOpKind; text: string };
export type RevisionDiff = { ops: DiffOp[] };

/** PUT /api/posts/{id}/autosave: the form as typed (the server notes the revision it was written over). */
export type AutosaveInput = { snapshot: PostInput };

/** GET /api/posts/{id}/autosave: the caller's own autosave (404 when none); stale: the post was saved since. */
export type Autosave = { post_id: number; snapshot: Partial<PostInput>; base_revision: number; stale: boolean; updated_at: string };

/** PUT /api/posts/{id}/presence: the others who had the post open in the last ~30 s. */
export type Presence = { editors: PostAuthor[] };

/** POST /api/posts/{id}/preview-link. */
export type PreviewLink = { url: string; expires_at: string };

/** POST /api/content/render. */
export type RenderResult = { html: string };

/** A page of GET /api/posts (page mode). */
export type PostPage = { items: Post[]; page: number; page_size: number; total: number; total_pages: number };
