import type { Post, PostAuthor, PostInput, PostLang } from "./types";

/**
 * The editor's form: PostInput with the authors' names kept for the chips
 * (the API takes ids). Every writable field of a post, nothing else.
 */
export type EditorForm = Omit<PostInput, "authors"> & { authors: PostAuthor[] };

export const emptyForm = (lang: PostLang, me?: PostAuthor): EditorForm => ({
  title: "",
  slug: "",
  lang,
  body_md: "",
  excerpt: "",
  cover_media_id: null,
  tags: [],
  categories: [],
  authors: me ? [me] : [],
  seo: { title: "", description: "", canonical_url: "", og_image_media_id: null },
  translation_of: null,
});

export const formOf = (p: Pick<Post, keyof EditorForm>): EditorForm => ({
  title: p.title,
  slug: p.slug,
  lang: p.lang,
  body_md: p.body_md,
  excerpt: p.excerpt,
  cover_media_id: p.cover_media_id ?? null,
  tags: [...(p.tags ?? [])],
  categories: [...(p.categories ?? [])],
  authors: [...(p.authors ?? [])],
  seo: {
    title: p.seo?.title ?? "",
    description: p.seo?.description ?? "",
    canonical_url: p.seo?.canonical_url ?? "",
    og_image_media_id: p.seo?.og_image_media_id ?? null,
  },
  translation_of: p.translation_of ?? null,
});

/** The request body of a form (authors as ids). */
export const inputOf = (f: EditorForm): PostInput => ({ ...f, seo: { ...f.seo }, authors: f.authors.map((a) => a.id) });

/**
 * A snapshot (an autosave, a revision) over a form: the fields the snapshot
 * has replace the form's; authors given as ids keep the names the form knows.
 */
export function formFromSnapshot(base: EditorForm, snap: Partial<Record<string, unknown>>): EditorForm {
  const out: EditorForm = { ...base, seo: { ...base.seo } };
  for (const k of ["title", "slug", "lang", "body_md", "excerpt"] as const) if (typeof snap[k] === "string") (out as Record<string, unknown>)[k] = snap[k];
  for (const k of ["cover_media_id", "translation_of"] as const) if (snap[k] === null || typeof snap[k] === "number") out[k] = snap[k] as number | null;
  for (const k of ["tags", "categories"] as const) if (Array.isArray(snap[k])) out[k] = (snap[k] as unknown[]).filter((x): x is string => typeof x === "string");
  if (Array.isArray(snap.authors)) {
    out.authors = (snap.authors as unknown[]).flatMap((a) => {
      if (typeof a === "number") return [base.authors.find((b) => b.id === a) ?? { id: a, name: `#${a}` }];
      if (a && typeof a === "object" && typeof (a as PostAuthor).id === "number") return [a as PostAuthor];
      return [];
    });
  }
  const seo = snap.seo as Partial<EditorForm["seo"]> | undefined;
  if (seo && typeof seo === "object") out.seo = { ...out.seo, ...seo };
  return out;
}
