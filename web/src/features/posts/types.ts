/**
 * The blog's shapes that the posts list needs.
 *
 * Mirrors API.md §8 until the generated schema has them: the integrator swaps
 * these for components["schemas"] names (Post, …) once the posts routes are in
 * web/openapi.json. The editor lane writes the same names with more of them;
 * this file is the subset the list reads, kept compatible with theirs.
 */

export type PostLang = "fa" | "en";
export type PostStatus = "draft" | "in_review" | "scheduled" | "published" | "archived";

/** Every status, in the workflow's order (API.md §8). */
export const postStatuses: readonly PostStatus[] = ["draft", "in_review", "scheduled", "published", "archived"];

export type PostAuthor = { id: number; name: string };

/** A post as GET /api/posts lists it (the list reads only these fields). */
export type Post = {
  id: number;
  title: string;
  slug: string;
  lang: PostLang;
  excerpt: string;
  tags: string[];
  categories: string[];
  authors: PostAuthor[];
  status: PostStatus;
  publish_at: string | null;
  unpublish_at: string | null;
  published_at: string | null;
  revision: number;
  created_at: string;
  updated_at: string;
};

/** POST /api/posts/{id}/transition. `at` is required for "scheduled". */
export type TransitionInput = { to: PostStatus; at?: string };

/** A page of GET /api/posts (page mode). */
export type PostPage = { items: Post[]; page: number; page_size: number; total: number; total_pages: number };
