import type { DiffOp } from "./types";

/**
 * A word-level diff for the editor's comparisons, the same model as the
 * server's textdiff.Words: tokens are words (letters, digits, marks, with
 * ZWNJ/ZWJ inside a Persian word kept in it) and each other character
 * alone, so joining the ops' texts gives back both sides and no word or
 * grapheme is ever split. Used where the server's diff is not at hand (the
 * 412 dialog compares unsaved text).
 */

const wordChar = /[\p{L}\p{Nd}\p{M}\u200c\u200d]/u;

export function tokenize(s: string): string[] {
  const out: string[] = [];
  let word = "";
  let space = "";
  for (const ch of s) {
    const isWord = wordChar.test(ch);
    const isSpace = ch === " " || ch === "\t";
    if (!isWord && word) {
      out.push(word);
      word = "";
    }
    if (!isSpace && space) {
      out.push(space);
      space = "";
    }
    if (isWord) word += ch;
    else if (isSpace) space += ch;
    else out.push(ch);
  }
  if (word) out.push(word);
  if (space) out.push(space);
  return out;
}

/** Past this many tokens on a side, or this many edits, the diff is done line by line instead. */
export const maxTokens = 20_000;
export const maxEdits = 1_000;

function push(ops: DiffOp[], kind: DiffOp["kind"], text: string) {
  if (!text) return;
  const last = ops[ops.length - 1];
  if (last && last.kind === kind) last.text += text;
  else ops.push({ kind, text });
}

/**
 * Myers' O((N+M)·D) diff of two token lists; null when more than limit
 * edits would be needed.
 */
function myers(a: string[], b: string[], limit: number): DiffOp[] | null {
  const n = a.length, m = b.length, max = Math.min(n + m, limit);
  const off = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v;
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[off + k] = x;
      if (x >= n && y >= m) {
        v = next;
        return backtrack(a, b, trace, off, d);
      }
    }
    v = next;
  }
  return null;
}

function backtrack(a: string[], b: string[], trace: Int32Array[], off: number, dEnd: number): DiffOp[] {
  const rev: DiffOp[] = [];
  let x = a.length, y = b.length;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? k + 1 : k - 1;
    const prevX = v[off + prevK], prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      rev.push({ kind: "equal", text: a[--x] });
      y--;
    }
    if (x === prevX) rev.push({ kind: "insert", text: b[--y] });
    else rev.push({ kind: "delete", text: a[--x] });
  }
  while (x > 0 && y > 0) {
    rev.push({ kind: "equal", text: a[--x] });
    y--;
  }
  const ops: DiffOp[] = [];
  for (let i = rev.length - 1; i >= 0; i--) push(ops, rev[i].kind, rev[i].text);
  return ops;
}

function diffTokens(a: string[], b: string[], limit: number): DiffOp[] | null {
  // a shared start and end cost nothing: only the middle is compared
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const mid = myers(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf), limit);
  if (!mid) return null;
  const ops: DiffOp[] = [];
  push(ops, "equal", a.slice(0, pre).join(""));
  for (const o of mid) push(ops, o.kind, o.text);
  push(ops, "equal", a.slice(a.length - suf).join(""));
  return ops;
}

/** The word-level diff of a → b (line level past maxTokens / maxEdits, so huge inputs stay bounded). */
export function diffWords(a: string, b: string): DiffOp[] {
  if (a === b) return a ? [{ kind: "equal", text: a }] : [];
  const ta = tokenize(a), tb = tokenize(b);
  if (ta.length <= maxTokens && tb.length <= maxTokens) {
    const ops = diffTokens(ta, tb, maxEdits);
    if (ops) return ops;
  }
  const lines = (s: string) => s.split(/(?<=\n)/);
  return diffTokens(lines(a), lines(b), Infinity)!;
}

/** One line of a diff: its pieces, for a view that sets each line's direction (lineDir). */
export type DiffLine = DiffOp[];

/** Groups ops per line (the newline stays with the line it ends, shown by the line break itself). */
export function diffLines(ops: DiffOp[]): DiffLine[] {
  const lines: DiffLine[] = [[]];
  for (const op of ops) {
    const parts = op.text.split("\n");
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines[lines.length - 1].push({ kind: op.kind, text: part });
    });
  }
  return lines;
}

/** Both sides back from the ops (what a test checks: nothing lost, nothing invented). */
export const sides = (ops: DiffOp[]) => ({
  a: ops.filter((o) => o.kind !== "insert").map((o) => o.text).join(""),
  b: ops.filter((o) => o.kind !== "delete").map((o) => o.text).join(""),
});

/** A run of unchanged lines folded away in a long diff. */
export type Fold = { folded: number };

/**
 * The lines worth reading in a long diff: every line with a change, with
 * `context` unchanged lines either side; each longer run of unchanged lines
 * becomes one Fold (a run shorter than 2 lines is kept, folding it saves
 * nothing).
 */
export function foldLines(lines: DiffLine[], context = 2): (DiffLine | Fold)[] {
  const changed = lines.map((l) => l.some((o) => o.kind !== "equal"));
  const keep = changed.map((_, i) => changed.slice(Math.max(0, i - context), i + context + 1).some(Boolean));
  const out: (DiffLine | Fold)[] = [];
  for (let i = 0; i < lines.length; ) {
    if (keep[i]) {
      out.push(lines[i++]);
      continue;
    }
    let j = i;
    while (j < lines.length && !keep[j]) j++;
    if (j - i < 2) out.push(...lines.slice(i, j));
    else out.push({ folded: j - i });
    i = j;
  }
  return out;
}

/**
 * The direction of a line of text by its first strong character (as dir="auto" decides it), for a
 * diff line: dir="auto" on the element would also read the screen-reader words ("inserted: ") in
 * the UI's language put before a change, and set a Persian line left-to-right in English.
 * "auto" when the text has no strong character.
 */
export function lineDir(text: string): "rtl" | "ltr" | "auto" {
  const m = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]|[A-Za-z\u00C0-\u02AF\u0370-\u03FF\u0400-\u04FF]/.exec(text);
  return !m ? "auto" : /[A-Za-z\u00C0-\u02AF\u0370-\u03FF\u0400-\u04FF]/.test(m[0]) ? "ltr" : "rtl";
}
