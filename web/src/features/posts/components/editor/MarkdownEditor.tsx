"use client";
import { useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { applyFormat, imageMarkdown, insertBlock, type Edit, type Format } from "../../toolbar";
import type { PostLang } from "../../types";
import { altIn, MediaPicker } from "./MediaPicker";

type Dir = "rtl" | "ltr";

const linkIcon = (
  <svg viewBox="0 0 24 24" className="size-4" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" aria-hidden>
    <path d="M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7" /><path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7" />
  </svg>
);

const tools: { f: Format; label: MessageKey; icon: ReactNode; key?: string }[] = [
  { f: "heading", label: "post.md.heading", icon: "H" },
  { f: "bold", label: "post.md.bold", icon: "B", key: "b" },
  { f: "italic", label: "post.md.italic", icon: "I", key: "i" },
  { f: "link", label: "post.md.link", icon: linkIcon, key: "k" },
  { f: "list", label: "post.md.list", icon: "•" },
  { f: "quote", label: "post.md.quote", icon: "❝" },
  { f: "code", label: "post.md.code", icon: "</>" },
];

/**
 * The markdown source: a textarea whose direction follows the post's
 * language (a toggle flips it for a passage in the other script), with a
 * toolbar (also Ctrl/⌘+B, I, K) and an image button that inserts
 * ![alt](media:ID) from the media library at the caret.
 */
export function MarkdownEditor({ value, onChange, lang, id }: { value: string; onChange: (v: string) => void; lang: PostLang; id: string }) {
  const { t } = useI18n();
  const area = useRef<HTMLTextAreaElement>(null);
  const [dirOverride, setDirOverride] = useState<Dir | null>(null);
  const [picking, setPicking] = useState(false);
  const dir: Dir = dirOverride ?? (lang === "fa" ? "rtl" : "ltr");

  function apply(make: (e: Edit) => Edit) {
    const el = area.current;
    if (!el) return;
    const next = make({ text: el.value, start: el.selectionStart, end: el.selectionEnd });
    onChange(next.text);
    // after React has written the new value: restore focus and the selection
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.start, next.end);
    });
  }
  const format = (f: Format) => apply((e) => applyFormat(e, f, t("post.md.placeholder")));

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const tool = tools.find((x) => x.key === e.key.toLowerCase());
    if (tool) {
      e.preventDefault();
      format(tool.f);
    }
  }

  const btn = "inline-flex h-8 min-w-8 items-center justify-center rounded px-2 text-sm font-semibold text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-200 dark:hover:bg-slate-700";
  return (
    <div className="flex h-full flex-col rounded-lg border border-slate-300 bg-white dark:border-slate-600 dark:bg-slate-900">
      <div role="toolbar" aria-label={t("post.md.toolbar")} aria-controls={id} className="flex flex-wrap items-center gap-1 border-b border-slate-200 p-1 dark:border-slate-700">
        {tools.map((x) => (
          <button key={x.f} type="button" className={btn} onClick={() => format(x.f)} aria-label={t(x.label)} title={t(x.label)} data-tool={x.f}>
            <span aria-hidden className={x.f === "italic" ? "italic" : x.f === "code" ? "font-mono text-xs" : ""} dir="ltr">{x.icon}</span>
          </button>
        ))}
        <button type="button" className={btn} onClick={() => setPicking(true)} aria-label={t("post.md.image")} title={t("post.md.image")} data-tool="image">
          <svg viewBox="0 0 24 24" className="size-4" fill="none" stroke="currentColor" strokeWidth={2} aria-hidden><rect x="3" y="4" width="18" height="16" rx="2" /><circle cx="9" cy="10" r="2" /><path d="m21 16-5-5-9 9" /></svg>
        </button>
        <span className="mx-1 h-5 w-px bg-slate-200 dark:bg-slate-700" aria-hidden />
        <button type="button" className={btn} aria-pressed={dir === "rtl"} onClick={() => setDirOverride(dir === "rtl" ? "ltr" : "rtl")} data-tool="dir"
          aria-label={t("post.md.direction")} title={t(dir === "rtl" ? "post.md.rtl" : "post.md.ltr")}>
          {/* the word processors' sign for the direction (a pilcrow and an arrow): no English word in the Persian toolbar */}
          <span aria-hidden className="text-sm" dir="ltr">{dir === "rtl" ? "¶←" : "¶→"}</span>
        </button>
      </div>
      <label htmlFor={id} className="sr-only">{t("post.body")}</label>
      <textarea id={id} ref={area} value={value} onChange={(e) => onChange(e.target.value)} onKeyDown={onKeyDown} dir={dir} lang={lang} spellCheck
        data-testid="body-editor"
        className="min-h-96 w-full flex-1 resize-y rounded-b-lg bg-transparent p-3 text-sm leading-7 text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500 dark:text-slate-100" />
      <MediaPicker open={picking} title={t("post.md.imageTitle")} onClose={() => setPicking(false)}
        onPick={(m) => {
          setPicking(false);
          apply((e) => insertBlock(e, imageMarkdown(altIn(m, lang), m.id)));
        }} />
    </div>
  );
}
