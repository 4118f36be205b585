/**
 * The portfolio's request and response shapes.
 *
 * Mirrors API.md §8 until the generated schema has them: the integrator swaps
 * these for components["schemas"] names (Project, …) once the projects routes
 * are in web/openapi.json. Fields marked "extension" are not in API.md; the
 * server may or may not send them and the screens work without them.
 */

export type ProjectLang = "fa" | "en";
/** content.ProjectWorkflow's statuses: draft ⇄ published, either → archived, archived → draft. */
export type ProjectStatus = "draft" | "published" | "archived";
export const projectStatuses: readonly ProjectStatus[] = ["draft", "published", "archived"];

export type GalleryItem = { media_id: number; caption_fa: string; caption_en: string };
export type ProjectLink = { label: string; url: string };

/** A project as GET /api/projects/{id} answers it. body_html is rendered and sanitised by the server. */
export type Project = {
  id: number;
  title: string;
  slug: string;
  lang: ProjectLang;
  client: string;
  /** YYYY-MM-DD or null */
  started_on: string | null;
  ended_on: string | null;
  summary: string;
  body_md: string;
  body_html: string;
  cover_media_id: number | null;
  gallery: GalleryItem[];
  tags: string[];
  links: ProjectLink[];
  featured: boolean;
  status: ProjectStatus;
  /** the manual order: PUT /api/projects/order writes it */
  position: number;
  created_at: string;
  updated_at: string;
  /** extension (as orders): the statuses this project may move to next. */
  allowed_next?: ProjectStatus[];
};

/** What POST /api/projects and PATCH /api/projects/{id} take: the writable fields (never body_html, status or position). */
export type ProjectInput = Pick<Project, "title" | "slug" | "lang" | "client" | "started_on" | "ended_on" | "summary" | "body_md" | "cover_media_id" | "gallery" | "tags" | "links" | "featured">;

/** A page of GET /api/projects (page mode). */
export type ProjectPage = { items: Project[]; page: number; page_size: number; total: number; total_pages: number };
