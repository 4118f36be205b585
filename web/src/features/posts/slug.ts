/**
 * The server's slug rules (internal/platform/search: Normalize, Slugify),
 * written again so the editor can show the slug a title or a typed slug
 * becomes before saving. The server stays the authority: it refuses a slug
 * that is not already in this form (Slugify(slug) == slug).
 */

const diacritic = (c: number) => (c >= 0x064b && c <= 0x065f) || c === 0x0670 || (c >= 0x06d6 && c <= 0x06ed);
const invisibleSpace = new Set(["\u200c", "\u200b", "\u200d", "\ufeff"]);
const letterOrDigit = /^[\p{L}\p{Nd}\p{Mn}]$/u;

/** search.Normalize: Arabic forms to Persian, digits to ASCII, diacritics and tatweel dropped, ZWNJ and spaces as one space, lower case. */
export function normalize(s: string): string {
  let out = "";
  let space = false;
  for (let ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "ي" || ch === "ى" || ch === "ئ") ch = "ی";
    else if (ch === "ك") ch = "ک";
    else if (ch === "ة") ch = "ه";
    else if (ch === "أ" || ch === "إ" || ch === "ٱ") ch = "ا";
    else if (ch === "ؤ") ch = "و";
    else if (c >= 0x0660 && c <= 0x0669) ch = String(c - 0x0660);
    else if (c >= 0x06f0 && c <= 0x06f9) ch = String(c - 0x06f0);
    else if (ch === "ـ" || diacritic(c)) continue;
    if (invisibleSpace.has(ch) || /^\s$/u.test(ch)) {
      space = out.length > 0;
      continue;
    }
    if (space) {
      out += " ";
      space = false;
    }
    out += ch.toLowerCase();
  }
  return out;
}

/** search.Slugify: normalize, then each run of anything but letters and digits becomes one "-", none at either end. Persian stays Persian. */
export function slugify(s: string): string {
  let out = "";
  let dash = false;
  for (const ch of normalize(s)) {
    if (letterOrDigit.test(ch)) {
      if (dash && out.length > 0) out += "-";
      dash = false;
      out += ch;
    } else dash = true;
  }
  return out;
}

/**
 * The slug field's state: a new post's slug follows its title until the
 * writer edits the slug; an existing post's slug never changes by itself
 * (a published post's old slug would have to redirect).
 */
export type SlugState = { value: string; edited: boolean };

export const slugForNew = (title: string): SlugState => ({ value: slugify(title), edited: false });
export const slugForExisting = (slug: string): SlugState => ({ value: slug, edited: true });

/** The title changed: an unedited slug follows it. */
export const onTitle = (s: SlugState, title: string): SlugState => (s.edited ? s : { value: slugify(title), edited: false });

/** The writer typed in the slug field; clearing it hands the slug back to the title. */
export const onSlugTyped = (s: SlugState, typed: string, title: string): SlugState =>
  typed === "" ? { value: slugify(title), edited: false } : { value: typed, edited: true };

/** What is saved: the normalised form ("" when nothing of it is a letter or digit). */
export const savedSlug = (s: SlugState) => slugify(s.value);
