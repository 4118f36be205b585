/**
 * The SEO panel's arithmetic. The limits are what search engines show and
 * what the server accepts (seo title ≤ 70, description ≤ 160 characters,
 * counted as the server counts them: code points, not UTF-16 units).
 */

export const seoLimits = { title: 70, description: 160 } as const;

/** Characters as the server counts them (runes). */
export const charCount = (s: string) => [...s].length;

/**
 * ok below 90 % of the limit; near (amber) from there up to the limit; over
 * (red) past it, which the server refuses.
 */
export type SeoLevel = "ok" | "near" | "over";

export function seoLevel(count: number, limit: number): SeoLevel {
  if (count > limit) return "over";
  if (count >= Math.ceil(limit * 0.9)) return "near";
  return "ok";
}

/** Cuts text to at most max characters, with "…" when cut (at a word boundary when one is close). */
export function truncate(s: string, max: number): string {
  const chars = [...s.trim()];
  if (chars.length <= max) return chars.join("");
  let cut = chars.slice(0, max - 1).join("");
  const space = cut.lastIndexOf(" ");
  if (space > max * 0.7) cut = cut.slice(0, space);
  return cut.trimEnd() + "…";
}

/** A plain-text description from markdown, for when neither SEO description nor excerpt is set. */
export function plainFromMarkdown(md: string): string {
  return md
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+/gm, "")
    .replace(/[*_`~]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** What a search result shows: the SEO title or the title; the SEO description, else the excerpt, else the body's start. */
export function searchPreview(p: { title: string; excerpt: string; body_md: string; seo: { title: string; description: string } }, url: string) {
  return {
    title: truncate(p.seo.title || p.title, seoLimits.title),
    url,
    description: truncate(p.seo.description || p.excerpt || plainFromMarkdown(p.body_md), seoLimits.description),
  };
}
