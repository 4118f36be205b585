"use client";
import { useId } from "react";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { charCount, searchPreview, seoLevel, seoLimits, type SeoLevel } from "../../seo";
import type { EditorForm } from "../../form";
import { ImageField } from "./ImageField";

const levelClass: Record<SeoLevel, string> = {
  ok: "text-slate-500 dark:text-slate-400",
  near: "text-amber-700 dark:text-amber-400",
  over: "font-semibold text-red-700 dark:text-red-400",
};
const levelWord: Record<SeoLevel, MessageKey> = { ok: "post.seo.ok", near: "post.seo.near", over: "post.seo.over" };

/** "52 / 70", coloured by how close to the limit, and said in words too (not by colour alone). */
export function CharCounter({ id, count, limit }: { id: string; count: number; limit: number }) {
  const { t, number } = useI18n();
  const level = seoLevel(count, limit);
  return (
    <p id={id} className={`mt-1 text-xs ${levelClass[level]}`} data-level={level} aria-live="polite">
      <span className="tabular-nums">{t("post.seo.count", { n: number(count), max: number(limit) })}</span>
      {level !== "ok" && <> · {t(levelWord[level])}</>}
    </p>
  );
}

const control = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";

/**
 * SEO title and description with their counts, the canonical URL, the Open
 * Graph image, and how a search result would show the post.
 */
export function SeoPanel({ form, set, url }: { form: EditorForm; set: (f: (x: EditorForm) => EditorForm) => void; url: string }) {
  const { t } = useI18n();
  const ids = { title: useId(), desc: useId(), canon: useId() };
  const seo = form.seo;
  const setSeo = (patch: Partial<EditorForm["seo"]>) => set((x) => ({ ...x, seo: { ...x.seo, ...patch } }));
  const preview = searchPreview(form, url);
  return (
    <div className="space-y-3">
      <div>
        <label htmlFor={ids.title} className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{t("post.seo.title")}</label>
        <input id={ids.title} value={seo.title} onChange={(e) => setSeo({ title: e.target.value })} dir="auto" placeholder={form.title}
          aria-describedby={ids.title + "-n"} aria-invalid={charCount(seo.title) > seoLimits.title || undefined} className={control} />
        <CharCounter id={ids.title + "-n"} count={charCount(seo.title || form.title)} limit={seoLimits.title} />
      </div>
      <div>
        <label htmlFor={ids.desc} className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{t("post.seo.description")}</label>
        <textarea id={ids.desc} value={seo.description} onChange={(e) => setSeo({ description: e.target.value })} dir="auto" rows={3}
          aria-describedby={ids.desc + "-n"} aria-invalid={charCount(seo.description) > seoLimits.description || undefined} className={control} />
        <CharCounter id={ids.desc + "-n"} count={charCount(seo.description)} limit={seoLimits.description} />
      </div>
      <div>
        <label htmlFor={ids.canon} className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{t("post.seo.canonical")}</label>
        <input id={ids.canon} type="url" value={seo.canonical_url} onChange={(e) => setSeo({ canonical_url: e.target.value })} dir="ltr" placeholder="https://"
          className={control} />
      </div>
      <ImageField label={t("post.seo.ogImage")} value={seo.og_image_media_id} onChange={(id) => setSeo({ og_image_media_id: id })} />
      <figure className="rounded-lg border border-slate-200 p-3 dark:border-slate-700" data-testid="search-preview">
        <figcaption className="mb-2 text-xs font-medium text-slate-500 dark:text-slate-400">{t("post.seo.preview")}</figcaption>
        <div dir={form.lang === "fa" ? "rtl" : "ltr"} lang={form.lang}>
          <p className="truncate text-xs text-emerald-800 dark:text-emerald-400" dir="ltr">{preview.url}</p>
          <p className="text-base text-indigo-800 dark:text-indigo-300" dir="auto">{preview.title || t("post.untitled")}</p>
          <p className="text-xs text-slate-700 dark:text-slate-300" dir="auto">{preview.description}</p>
        </div>
      </figure>
    </div>
  );
}
