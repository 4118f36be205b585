import type { EditorForm } from "./form";

/**
 * The model behind the "someone saved meanwhile" (412) dialog: a three-way
 * comparison, field by field, of the version the writer started from
 * (base), what they have now (mine) and what the server holds now
 * (theirs). The dialog lets them keep theirs or mine per field; the result
 * is saved with the server's current ETag, so it is a deliberate overwrite
 * of exactly what they chose.
 */

export const mergeFields = [
  "title", "slug", "lang", "excerpt", "body_md", "tags", "categories", "authors",
  "cover_media_id", "translation_of", "seo.title", "seo.description", "seo.canonical_url", "seo.og_image_media_id",
] as const;
export type MergeField = (typeof mergeFields)[number];

export type Side = "mine" | "theirs";

export type FieldComparison = {
  field: MergeField;
  base: unknown;
  mine: unknown;
  theirs: unknown;
  /** the writer changed it since they opened the post */
  changedByMe: boolean;
  /** someone else changed it meanwhile */
  changedByThem: boolean;
  /** both changed it, to different values: the writer must choose */
  conflict: boolean;
};

/** A field's value in comparable form (authors by id, in order). */
export function valueOf(f: EditorForm, field: MergeField): unknown {
  if (field === "authors") return f.authors.map((a) => a.id);
  if (field.startsWith("seo.")) return f.seo[field.slice(4) as keyof EditorForm["seo"]];
  return f[field as Exclude<MergeField, "authors" | `seo.${string}`>];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every field that differs between mine and theirs, or that either side changed. Unchanged fields are left out. */
export function compare(base: EditorForm, mine: EditorForm, theirs: EditorForm): FieldComparison[] {
  return mergeFields.flatMap((field) => {
    const b = valueOf(base, field), m = valueOf(mine, field), t = valueOf(theirs, field);
    const changedByMe = !same(b, m), changedByThem = !same(b, t);
    if (same(m, t)) return []; // both agree (both unchanged, or changed alike)
    return [{ field, base: b, mine: m, theirs: t, changedByMe, changedByThem, conflict: changedByMe && changedByThem }];
  });
}

/**
 * The starting choice per field: what only one side changed keeps that
 * side's change (theirs is not lost by a change of mine elsewhere); a
 * conflict starts as mine, and the dialog marks it to be looked at.
 */
export function defaultChoices(rows: FieldComparison[]): Record<string, Side> {
  return Object.fromEntries(rows.map((r) => [r.field, r.changedByThem && !r.changedByMe ? "theirs" : "mine"]));
}

function setField(f: EditorForm, field: MergeField, from: EditorForm) {
  if (field.startsWith("seo.")) {
    const k = field.slice(4) as keyof EditorForm["seo"];
    (f.seo as Record<string, unknown>)[k] = from.seo[k];
  } else (f as Record<string, unknown>)[field] = structuredClone((from as Record<string, unknown>)[field]);
}

/** The merged form: theirs, with the fields chosen as mine taken from mine. */
export function merge(mine: EditorForm, theirs: EditorForm, choices: Record<string, Side>): EditorForm {
  const out: EditorForm = structuredClone(theirs);
  for (const field of mergeFields) if (choices[field] === "mine") setField(out, field, mine);
  return out;
}

/** Overwrite: everything as mine (only the server's ETag is theirs). */
export const overwrite = (mine: EditorForm): EditorForm => structuredClone(mine);
