import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api/client";
import { Autosaver, autosaveDelay, type AutosaveState } from "@/features/posts/autosave";
import { diffLines, diffWords, foldLines, lineDir, sides, tokenize } from "@/features/posts/diff";
import { emptyForm, formFromSnapshot, inputOf, type EditorForm } from "@/features/posts/form";
import { compare, defaultChoices, merge, overwrite } from "@/features/posts/merge";
import { charCount, searchPreview, seoLevel, seoLimits, truncate } from "@/features/posts/seo";
import { normalize, onSlugTyped, onTitle, savedSlug, slugForExisting, slugForNew, slugify } from "@/features/posts/slug";
import { applyFormat, imageMarkdown, insertBlock } from "@/features/posts/toolbar";
import { actionsFor, hasUnpublishedChanges, instantOf } from "@/features/posts/workflow";
import { addChips } from "@/features/posts/components/editor/ChipsInput";
import { reasonText } from "@/features/posts/components/editor/RevisionsPanel";
import { fa } from "@/lib/messages";
import { faScreens } from "@/lib/messages.screens";

describe("slug preview (the server's search.Slugify, written again)", () => {
  it.each([
    ["سلام دنیا", "سلام-دنیا"],
    ["كتاب عربي", "کتاب-عربی"], // Arabic kaf and yeh become Persian
    ["می‌خواهم بنویسم", "می-خواهم-بنویسم"], // ZWNJ is a word break in a slug
    ["قیمت ۱۲۳ تومان", "قیمت-123-تومان"], // Persian digits
    ["عدد ٤٥", "عدد-45"], // Arabic-Indic digits
    ["مَدرسه", "مدرسه"], // diacritics dropped
    ["خیلـــی خوب", "خیلی-خوب"], // tatweel dropped
    ["Hello, World!", "hello-world"],
    ["  --Go 1.26 & Next.js--  ", "go-1-26-next-js"],
    ["!!!", ""],
  ])("%s → %s", (title, slug) => expect(slugify(title)).toBe(slug));

  it("normalises like the server's Normalize: one space for runs of spaces and ZWNJ, lower case", () => {
    expect(normalize("A\u200c\u200cB  C")).toBe("a b c");
  });

  it("a new post's slug follows the title until the writer types one; clearing it follows the title again", () => {
    let s = slugForNew("");
    s = onTitle(s, "سلام دنیا");
    expect(s).toEqual({ value: "سلام-دنیا", edited: false });
    s = onSlugTyped(s, "my Slug", "سلام دنیا");
    s = onTitle(s, "عنوان دیگر");
    expect(s.value).toBe("my Slug");
    expect(savedSlug(s)).toBe("my-slug"); // what is shown as "saved as" and sent
    s = onSlugTyped(s, "", "عنوان دیگر");
    expect(s).toEqual({ value: "عنوان-دیگر", edited: false });
  });

  it("an existing post's slug never follows its title", () => {
    expect(onTitle(slugForExisting("old-slug"), "New title")).toEqual({ value: "old-slug", edited: true });
  });
});

describe("SEO counts", () => {
  it("counts characters as the server does (code points), Persian and emoji alike", () => {
    expect(charCount("سلام")).toBe(4);
    expect(charCount("a😀b")).toBe(3);
  });

  it("is ok below 90 % of the limit, near (amber) up to it, over (red) past it", () => {
    expect(seoLevel(62, seoLimits.title)).toBe("ok");
    expect(seoLevel(63, seoLimits.title)).toBe("near");
    expect(seoLevel(70, seoLimits.title)).toBe("near");
    expect(seoLevel(71, seoLimits.title)).toBe("over");
    expect(seoLevel(143, seoLimits.description)).toBe("ok");
    expect(seoLevel(144, seoLimits.description)).toBe("near");
    expect(seoLevel(161, seoLimits.description)).toBe("over");
  });

  it("the search preview falls back to the title, the excerpt, then the body's text, cut with an ellipsis", () => {
    const p = { title: "عنوان", excerpt: "", body_md: "## سرتیتر\n\nمتن **پررنگ** با [پیوند](https://x.ir) و ![تصویر](media:3).", seo: { title: "", description: "" } };
    const r = searchPreview(p, "example.com › x");
    expect(r.title).toBe("عنوان");
    expect(r.description).toBe("سرتیتر متن پررنگ با پیوند و .");
    expect(searchPreview({ ...p, excerpt: "چکیده", seo: { title: "عنوان سئو", description: "" } }, "").description).toBe("چکیده");
    const long = "word ".repeat(50);
    const cut = truncate(long, 70);
    expect(charCount(cut)).toBeLessThanOrEqual(70);
    expect(cut.endsWith("…")).toBe(true);
  });
});

const form = (patch: Partial<EditorForm> = {}): EditorForm => ({ ...emptyForm("fa", { id: 1, name: "Sara" }), title: "T", slug: "t", body_md: "one two three", ...patch });

describe("the 412 merge model", () => {
  const base = form({ excerpt: "e0" });
  const mine = form({ title: "My title", body_md: "one two four", excerpt: "mine" });
  const theirs = form({ tags: ["news"], excerpt: "theirs", seo: { ...base.seo, description: "d" } });

  it("lists each field that differs, with who changed it, and marks the ones both changed as conflicts", () => {
    const rows = compare(base, mine, theirs);
    const by = Object.fromEntries(rows.map((r) => [r.field, r]));
    expect(Object.keys(by).sort()).toEqual(["body_md", "excerpt", "seo.description", "tags", "title"]);
    expect(by.title).toMatchObject({ changedByMe: true, changedByThem: false, conflict: false });
    expect(by.tags).toMatchObject({ changedByMe: false, changedByThem: true, conflict: false });
    expect(by.excerpt).toMatchObject({ mine: "mine", theirs: "theirs", conflict: true });
  });

  it("starts with each side's own changes kept and mine for conflicts; the merge applies the choices over theirs", () => {
    const rows = compare(base, mine, theirs);
    const choices = defaultChoices(rows);
    expect(choices).toEqual({ title: "mine", body_md: "mine", excerpt: "mine", tags: "theirs", "seo.description": "theirs" });
    const merged = merge(mine, theirs, { ...choices, excerpt: "theirs" });
    expect(merged).toMatchObject({ title: "My title", body_md: "one two four", excerpt: "theirs", tags: ["news"] });
    expect(merged.seo.description).toBe("d");
    // theirs is not changed by merging
    expect(theirs.title).toBe("T");
  });

  it("the same change on both sides is no question; overwrite is all mine", () => {
    expect(compare(base, form({ title: "X" }), form({ title: "X" }))).toEqual([]);
    expect(overwrite(mine)).toEqual(mine);
  });

  it("authors compare by id, and a snapshot's author ids keep the names the form knows", () => {
    const a = form({ authors: [{ id: 1, name: "Sara" }] });
    const b = form({ authors: [{ id: 1, name: "Sara (renamed)" }] });
    expect(compare(a, a, b)).toEqual([]);
    const restored = formFromSnapshot(a, { authors: [1, 9], title: "Old", seo: { title: "s" } });
    expect(restored.authors).toEqual([{ id: 1, name: "Sara" }, { id: 9, name: "#9" }]);
    expect(restored.title).toBe("Old");
    expect(restored.seo).toMatchObject({ title: "s", description: "" });
    expect(inputOf(restored).authors).toEqual([1, 9]);
  });
});

describe("autosave debounce", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(save: (v: string) => Promise<void>) {
    const states: AutosaveState["kind"][] = [];
    const s = new Autosaver<string>(save, (st) => states.push(st.kind));
    return { s, states };
  }

  it("sends only the last value, once the writer pauses for 2 s", async () => {
    const sent: string[] = [];
    const { s, states } = setup(async (v) => void sent.push(v));
    s.change("a");
    await vi.advanceTimersByTimeAsync(1500);
    s.change("ab");
    await vi.advanceTimersByTimeAsync(1500);
    s.change("abc");
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(autosaveDelay);
    expect(sent).toEqual(["abc"]);
    expect(states.at(-1)).toBe("saved");
  });

  it("never sends two at once: a change made while saving goes after it", async () => {
    const sent: string[] = [];
    let release!: () => void;
    const { s } = setup((v) => {
      sent.push(v);
      return v === "1" ? new Promise<void>((r) => (release = r)) : Promise.resolve();
    });
    s.change("1");
    await vi.advanceTimersByTimeAsync(autosaveDelay);
    expect(sent).toEqual(["1"]);
    s.change("2");
    await vi.advanceTimersByTimeAsync(autosaveDelay * 3);
    expect(sent).toEqual(["1"]); // still in flight
    release();
    await vi.advanceTimersByTimeAsync(autosaveDelay);
    expect(sent).toEqual(["1", "2"]);
    expect(s.unsaved).toBe(false);
  });

  it("offline keeps the value and sends it when back online; a refusal waits for the next change", async () => {
    let fail: ApiError | null = new ApiError(0, "NETWORK", "network error");
    const sent: string[] = [];
    const { s, states } = setup(async (v) => {
      if (fail) throw fail;
      sent.push(v);
    });
    s.change("x");
    await vi.advanceTimersByTimeAsync(autosaveDelay);
    expect(states.at(-1)).toBe("offline");
    expect(s.unsaved).toBe(true);
    fail = null;
    s.online();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(["x"]);
    expect(states.at(-1)).toBe("saved");

    fail = new ApiError(422, "VALIDATION_FAILED", "bad");
    s.change("y");
    await vi.advanceTimersByTimeAsync(autosaveDelay);
    expect(states.at(-1)).toBe("failed");
    expect(s.unsaved).toBe(false);
  });

  it("discard drops what waits (a real save made it moot)", async () => {
    const sent: string[] = [];
    const { s } = setup(async (v) => void sent.push(v));
    s.change("z");
    s.discard();
    await vi.advanceTimersByTimeAsync(autosaveDelay * 2);
    expect(sent).toEqual([]);
  });
});

describe("word diff", () => {
  it("keeps a Persian word with ZWNJ as one token and splits on Persian punctuation", () => {
    expect(tokenize("می‌خواهم، بروم")).toEqual(["می‌خواهم", "،", " ", "بروم"]);
  });

  it("marks whole words and gives back both sides", () => {
    const a = "سلام دنیای زیبا\nsecond line", b = "سلام دنیای بزرگ\nsecond line!";
    const ops = diffWords(a, b);
    expect(sides(ops)).toEqual({ a, b });
    expect(ops.filter((o) => o.kind === "delete").map((o) => o.text)).toEqual(["زیبا"]);
    expect(ops.filter((o) => o.kind === "insert").map((o) => o.text)).toEqual(["بزرگ", "!"]);
    const lines = diffLines(ops);
    expect(lines).toHaveLength(2);
    expect(lines[1].map((o) => o.text).join("")).toBe("second line!");
  });

  it("reconstructs random edits, and stays bounded on big all-different inputs (line level)", () => {
    const words = ["یک", "دو", "سه", "four", "five", "\n", "شش", "ها"];
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 50; i++) {
      const mk = () => Array.from({ length: Math.floor(rnd() * 30) }, () => words[Math.floor(rnd() * words.length)]).join(" ");
      const a = mk(), b = mk();
      expect(sides(diffWords(a, b))).toEqual({ a, b });
    }
    const big = (p: string) => Array.from({ length: 3000 }, (_, i) => `${p}${i}`).join(" ");
    const t0 = performance.now();
    const ops = diffWords(big("a"), big("b"));
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(sides(ops)).toEqual({ a: big("a"), b: big("b") });
  });
});

describe("folding a long diff", () => {
  it("keeps changed lines with two lines of context and folds longer unchanged runs", () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    const b = a.replace("line 10", "line ten");
    const folded = foldLines(diffLines(diffWords(a, b)));
    const shown = folded.map((l) => ("folded" in l ? `[${l.folded}]` : l.map((o) => (o.kind === "equal" ? o.text : `${o.kind}:${o.text}`)).join("")));
    expect(shown).toEqual(["[8]", "line 8", "line 9", "line delete:10insert:ten", "line 11", "line 12", "[7]"]);
    // a one-line gap is shown, not folded
    expect(foldLines(diffLines(diffWords("a\nb\nc\nd\ne\nf", "A\nb\nc\nd\ne\nF")), 2).every((l) => !("folded" in l))).toBe(true);
  });
});

describe("markdown toolbar", () => {
  it("wraps the selection (or a placeholder) and keeps it selected", () => {
    expect(applyFormat({ text: "say hi now", start: 4, end: 6 }, "bold")).toEqual({ text: "say **hi** now", start: 6, end: 8 });
    expect(applyFormat({ text: "", start: 0, end: 0 }, "italic", "متن")).toEqual({ text: "_متن_", start: 1, end: 4 });
  });

  it("a link selects its URL to type over", () => {
    const r = applyFormat({ text: "see docs", start: 4, end: 8 }, "link");
    expect(r.text).toBe("see [docs](https://)");
    expect(r.text.slice(r.start, r.end)).toBe("https://");
  });

  it("headings, lists and quotes prefix every selected line and toggle off", () => {
    const text = "a\nb\nc";
    const listed = applyFormat({ text, start: 0, end: 3 }, "list");
    expect(listed.text).toBe("- a\n- b\nc");
    expect(applyFormat({ text: listed.text, start: 0, end: 7 }, "list").text).toBe(text);
    expect(applyFormat({ text: "title", start: 2, end: 2 }, "heading").text).toBe("## title");
    expect(applyFormat({ text: "x", start: 0, end: 1 }, "quote").text).toBe("> x");
  });

  it("multi-line code becomes a fenced block", () => {
    expect(applyFormat({ text: "a\nb", start: 0, end: 3 }, "code").text).toBe("```\na\nb\n```\n");
  });

  it("an image from the library is a media: reference on a line of its own, alt text escaped", () => {
    expect(imageMarkdown("گل [سرخ]", 12)).toBe("![گل \\[سرخ\\]](media:12)");
    expect(insertBlock({ text: "before\nafter", start: 6, end: 6 }, "![x](media:1)")).toEqual({ text: "before\n![x](media:1)\nafter", start: 20, end: 20 });
    expect(insertBlock({ text: "ab", start: 1, end: 1 }, "X")).toEqual({ text: "a\nX\nb", start: 3, end: 3 });
  });
});

describe("workflow buttons", () => {
  const writer = (p: string) => p === "content.edit";
  const publisher = () => true;
  const keys = (a: { key: string }[]) => a.map((x) => x.key);

  it("a writer may only submit a draft for review, or take it back", () => {
    expect(keys(actionsFor("draft", undefined, writer))).toEqual(["submit"]);
    expect(keys(actionsFor("in_review", undefined, writer))).toEqual(["toDraft"]);
    expect(keys(actionsFor("published", undefined, writer))).toEqual([]);
  });

  it("a publisher sees publish (confirmed), schedule (timed), unpublish and schedule unpublish, archive", () => {
    const draft = actionsFor("draft", undefined, publisher);
    expect(keys(draft)).toEqual(["submit", "publish", "schedule", "archive"]);
    expect(draft.find((a) => a.key === "publish")).toMatchObject({ to: "published", confirm: true });
    expect(draft.find((a) => a.key === "schedule")).toMatchObject({ to: "scheduled", needsTime: true });
    expect(keys(actionsFor("published", undefined, publisher))).toEqual(["unpublish", "scheduleUnpublish", "archive"]);
    expect(keys(actionsFor("scheduled", undefined, publisher))).toEqual(["publish", "unschedule", "archive"]);
    expect(keys(actionsFor("archived", undefined, publisher))).toEqual(["unarchive"]);
  });

  it("a published post whose saved copy is ahead of the website offers publish changes, to publishers only", () => {
    expect(keys(actionsFor("published", undefined, publisher, true))).toEqual(["publishChanges", "unpublish", "scheduleUnpublish", "archive"]);
    expect(keys(actionsFor("published", undefined, writer, true))).toEqual([]);
    expect(hasUnpublishedChanges({ status: "published", revision: 3, live_revision: 2 })).toBe(true);
    expect(hasUnpublishedChanges({ status: "published", revision: 3, live_revision: 3 })).toBe(false);
    expect(hasUnpublishedChanges({ status: "draft", revision: 3, live_revision: null })).toBe(false);
  });

  it("follows the server's allowed_next when it sends one", () => {
    expect(keys(actionsFor("published", ["draft", "archived", "published"], publisher))).toEqual(["publish", "unpublish", "scheduleUnpublish", "archive"]);
  });

  it("a day and a time on the user's clock become one UTC instant", () => {
    const at = instantOf("2026-12-20", "09:30");
    expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/);
    expect(new Date(at).getTime()).toBe(new Date(2026, 11, 20, 9, 30).getTime());
    expect(instantOf("", "09:30")).toBe("");
  });
});

describe("tag chips", () => {
  it("adds comma-separated names (Persian comma too), trimmed, once each, at most 20", () => {
    expect(addChips(["a"], " b ، c, a,, ")).toEqual(["a", "b", "c"]);
    expect(addChips(Array.from({ length: 20 }, (_, i) => `t${i}`), "more")).toHaveLength(20);
  });
});

describe("a revision's reason", () => {
  // the Persian catalogue, with {n} filled in; numbers in Persian digits, as the screen writes them
  const catalogue: Record<string, string> = { ...fa, ...faScreens };
  const t = ((key: string, vars?: Record<string, string | number>) => catalogue[key].replace(/\{(\w+)\}/g, (_, k) => String(vars?.[k]))) as Parameters<typeof reasonText>[1]["t"];
  const number = (n: number) => n.toLocaleString("fa-IR");
  it("says the server's own reasons in the user's language and a typed one as typed", () => {
    expect(reasonText("created", { t, number })).toBe("ساخته شد");
    expect(reasonText("edited", { t, number })).toBe("ویرایش شد");
    expect(reasonText("restored from 12", { t, number })).toBe("برگردانده از ویرایش ۱۲");
    expect(reasonText("اصلاح غلط املایی", { t, number })).toBe("اصلاح غلط املایی");
    expect(reasonText("restored from x", { t, number })).toBe("restored from x");
  });
});

describe("a diff line's direction", () => {
  it("is its text's first strong character's, whatever the UI's language", () => {
    expect(lineDir("- نمونه‌کارها")).toBe("rtl");
    expect(lineDir("12. پیشخان and more")).toBe("rtl");
    expect(lineDir("## Pishkhan پیشخان")).toBe("ltr");
    expect(lineDir("- 42 …")).toBe("auto");
  });
});
