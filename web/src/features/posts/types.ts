import type { Schemas } from "@/lib/api/client";

/**
 * The blog's request and response shapes: the generated schema's
 * (web/openapi.json, from the posts routes), under the editor's names.
 */

export type Post = Schemas["Post"];
export type PostLang = Post["lang"];
export type PostStatus = Post["status"];
export type PostAuthor = Schemas["Author"];
export type PostSeo = Schemas["SEO"];

/** Every status, in the workflow's order (API.md §8). */
export const postStatuses: readonly PostStatus[] = ["draft", "in_review", "scheduled", "published", "archived"];

/**
 * What the editor sends on POST /api/posts and PATCH /api/posts/{id}: every
 * writable field (never body_html), authors as user ids; the same shape as
 * a revision's or an autosave's snapshot.
 */
export type PostInput = Schemas["Snapshot"];

/** PATCH's body: the fields plus why (kept with the revision). */
export type PostPatch = PostInput & { revision_reason?: string };

/** POST /api/posts/{id}/transition. `at` is required for "scheduled", and for a scheduled unpublish ({to: "draft", at}). */
export type TransitionInput = Schemas["TransitionInput"];

/** One entry of GET /api/posts/{id}/revisions (newest first). */
export type PostRevision = Schemas["Revision"];

/** GET /api/posts/{id}/revisions/{rev}: the entry and the post as it was then. */
export type PostRevisionDetail = Schemas["RevisionDetail"];

/** One run of a word diff (textdiff.Op): joining the equal and delete texts gives the old side, equal and insert the new. */
export type DiffOp = Schemas["Op"];
export type DiffOpKind = DiffOp["kind"];
/** GET /api/posts/{id}/revisions/diff: word-level ops of the body (ops), the title and the excerpt, and the other fields' names. */
export type RevisionDiff = Schemas["RevisionDiff"];

/** PUT /api/posts/{id}/autosave: the form as typed (the server notes the revision it was written over). */
export type AutosaveInput = Schemas["AutosaveInput"];

/** GET /api/posts/{id}/autosave: the caller's own autosave (404 when none); stale: the post was saved since. */
export type Autosave = Schemas["Autosave"];

/** PUT /api/posts/{id}/presence: the others who had the post open in the last ~30 s. */
export type Presence = Schemas["Presence"];

/** POST /api/posts/{id}/preview-link. */
export type PreviewLink = Schemas["PreviewLink"];

/** POST /api/content/render. */
export type RenderResult = Schemas["Rendered"];

/** A page of GET /api/posts (page mode): summaries, no body. */
export type PostPage = Schemas["PageSummary"];
