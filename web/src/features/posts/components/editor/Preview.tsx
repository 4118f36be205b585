"use client";
import { useEffect, useRef, useState } from "react";
import { explainError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { renderMarkdown } from "../../api";

/** How long the source must stay unchanged before it is rendered. */
export const previewDelay = 300;

/** Blocks that take their direction from their own first strong character. */
const blocks = "p, h1, h2, h3, h4, h5, h6, li, blockquote, td, th, figcaption, dt, dd";

/**
 * The live preview: the server's rendering (POST /api/content/render, the
 * one renderer, which sanitises), asked for once typing pauses; a request
 * made stale by further typing is cancelled. The HTML shown is only ever the
 * server's answer. Each block gets dir="auto", so a Persian paragraph in an
 * English post (and the reverse) reads in its own direction; code stays LTR.
 */
export function Preview({ markdown, lang }: { markdown: string; lang: "fa" | "en" }) {
  const { t } = useI18n();
  const [html, setHtml] = useState<string | null>(null);
  const [state, setState] = useState<"idle" | "rendering" | "error">("idle");
  const [error, setError] = useState("");
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const ctl = new AbortController();
    const timer = setTimeout(async () => {
      setState("rendering");
      try {
        const out = await renderMarkdown(markdown, ctl.signal);
        if (ctl.signal.aborted) return;
        setHtml(out);
        setState("idle");
      } catch (e) {
        if (ctl.signal.aborted) return;
        setError(explainError(t, e));
        setState("error");
      }
    }, previewDelay);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [markdown, t]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.querySelectorAll(blocks).forEach((b) => b.setAttribute("dir", "auto"));
    el.querySelectorAll("pre").forEach((b) => b.setAttribute("dir", "ltr"));
  }, [html]);

  return (
    <section aria-label={t("post.preview")} className="flex h-full flex-col rounded-lg border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-900">
      <div className="flex items-center justify-between border-b border-slate-200 px-3 py-2 text-xs text-slate-500 dark:border-slate-700 dark:text-slate-400">
        <span className="font-semibold">{t("post.preview")}</span>
        <span role="status" aria-live="polite">{state === "rendering" ? t("post.previewRendering") : ""}</span>
      </div>
      {state === "error" && <p role="alert" className="px-3 pt-2 text-sm text-red-700 dark:text-red-400">{t("post.previewFailed", { why: error })}</p>}
      <div ref={box} lang={lang} dir={lang === "fa" ? "rtl" : "ltr"} data-testid="preview"
        className="prose-post min-h-96 flex-1 overflow-auto p-3 text-sm leading-7 [&_a]:text-indigo-700 [&_a]:underline dark:[&_a]:text-indigo-300 [&_blockquote]:border-s-4 [&_blockquote]:border-slate-300 [&_blockquote]:ps-3 [&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1 dark:[&_code]:bg-slate-800 [&_h1]:text-2xl [&_h1]:font-bold [&_h2]:mt-4 [&_h2]:text-xl [&_h2]:font-bold [&_h3]:mt-3 [&_h3]:text-lg [&_h3]:font-semibold [&_img]:max-w-full [&_img]:rounded [&_ol]:list-decimal [&_ol]:ps-6 [&_p]:my-2 [&_pre]:overflow-auto [&_pre]:rounded [&_pre]:bg-slate-100 [&_pre]:p-2 dark:[&_pre]:bg-slate-800 [&_ul]:list-disc [&_ul]:ps-6"
        // the server's rendering only: sanitised there (goldmark, raw HTML off, then bluemonday)
        dangerouslySetInnerHTML={{ __html: html ?? "" }} />
    </section>
  );
}
