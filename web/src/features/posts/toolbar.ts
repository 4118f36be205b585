/**
 * The markdown toolbar's edits, as pure functions of the text and the
 * selection, so each is tested without a textarea: the result is the new
 * text and the selection to set (the edited words stay selected, or the
 * caret lands where the writer types next).
 */

export type Edit = { text: string; start: number; end: number };
export type Format = "heading" | "bold" | "italic" | "link" | "list" | "quote" | "code";

function wrap(e: Edit, before: string, after: string, placeholder: string): Edit {
  const sel = e.text.slice(e.start, e.end) || placeholder;
  const text = e.text.slice(0, e.start) + before + sel + after + e.text.slice(e.end);
  return { text, start: e.start + before.length, end: e.start + before.length + sel.length };
}

/** Prefixes each line the selection touches (toggles off when every line already has it). */
function prefixLines(e: Edit, prefix: (i: number) => string, has: RegExp): Edit {
  const lineStart = e.text.lastIndexOf("\n", e.start - 1) + 1;
  let lineEnd = e.text.indexOf("\n", Math.max(e.end - (e.end > e.start && e.text[e.end - 1] === "\n" ? 1 : 0), e.start));
  if (lineEnd < 0) lineEnd = e.text.length;
  const lines = e.text.slice(lineStart, lineEnd).split("\n");
  const all = lines.every((l) => has.test(l));
  const changed = lines.map((l, i) => (all ? l.replace(has, "") : prefix(i) + l)).join("\n");
  const text = e.text.slice(0, lineStart) + changed + e.text.slice(lineEnd);
  return { text, start: lineStart, end: lineStart + changed.length };
}

export function applyFormat(e: Edit, f: Format, placeholder = "", url = "https://"): Edit {
  switch (f) {
    case "bold":
      return wrap(e, "**", "**", placeholder);
    case "italic":
      return wrap(e, "_", "_", placeholder);
    case "code": {
      const sel = e.text.slice(e.start, e.end);
      if (sel.includes("\n")) {
        const lead = e.start > 0 && e.text[e.start - 1] !== "\n" ? "\n" : "";
        return wrap(e, lead + "```\n", sel.endsWith("\n") ? "```\n" : "\n```\n", placeholder);
      }
      return wrap(e, "`", "`", placeholder);
    }
    case "link": {
      const w = wrap(e, "[", `](${url})`, placeholder);
      // the URL is selected next, to be typed over
      const at = w.end + 2;
      return { text: w.text, start: at, end: at + url.length };
    }
    case "heading":
      return prefixLines(e, () => "## ", /^#{1,6} /);
    case "list":
      return prefixLines(e, () => "- ", /^[-*+] /);
    case "quote":
      return prefixLines(e, () => "> ", /^> ?/);
  }
}

/** The markdown of a media-library image: its alt text and a media: reference the server resolves. */
export function imageMarkdown(alt: string, mediaId: number): string {
  return `![${alt.replace(/[[\]\\]/g, (c) => "\\" + c).replace(/\n/g, " ")}](media:${mediaId})`;
}

/** Inserts text at the selection (replacing it), on a line of its own; the caret goes after it. */
export function insertBlock(e: Edit, block: string): Edit {
  const before = e.start > 0 && e.text[e.start - 1] !== "\n" ? "\n" : "";
  const after = e.end < e.text.length && e.text[e.end] !== "\n" ? "\n" : "";
  const ins = before + block + after;
  const text = e.text.slice(0, e.start) + ins + e.text.slice(e.end);
  const at = e.start + before.length + block.length;
  return { text, start: at, end: at };
}
