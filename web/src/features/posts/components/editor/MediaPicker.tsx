"use client";
import { useState } from "react";
import type { Schemas } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Skeleton } from "@/components/ui/Card";
import { explainListError } from "@/lib/errors";
import { useReadyImages } from "../../api";
import { Modal } from "@/components/ui/Modal";

type Media = Schemas["Media"];

/** The picture of a media item: its 256 px thumbnail (signed storage URLs: nothing for next/image to do). */
export function MediaThumb({ m, className = "" }: { m: Media; className?: string }) {
  const src = m.thumbnails?.["256"] ?? m.thumbnails?.["1024"] ?? m.url ?? "";
  const alt = m.alt?.fa || m.alt?.en || m.filename;
  // eslint-disable-next-line @next/next/no-img-element
  return src ? <img src={src} alt={alt} loading="lazy" className={`h-full w-full object-cover ${className}`} /> : <span className="text-xs" dir="ltr">{m.filename}</span>;
}

/** The alt text of an item in the post's language (the other language's, the file name when it has none). */
export const altIn = (m: Media, lang: "fa" | "en") => (lang === "fa" ? m.alt?.fa || m.alt?.en : m.alt?.en || m.alt?.fa) || m.title?.[lang] || "";

/**
 * Picks a ready image of the media library (only ready items may be used in
 * content). Searching by file name or title; a page of 24 at a time.
 */
export function MediaPicker({ open, title, onPick, onClose }: { open: boolean; title: string; onPick: (m: Media) => void; onClose: () => void }) {
  const { t, number } = useI18n();
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const list = useReadyImages(q, page);
  const data = list.data;
  return (
    <Modal open={open} title={title} onClose={onClose} size="4xl" closeLabel={t("post.close")} testId="media-picker">
      <label className="block text-sm">
        <span className="mb-1 block font-medium">{t("post.media.search")}</span>
        <input type="search" value={q} onChange={(e) => { setQ(e.target.value); setPage(1); }} data-autofocus
          className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-900" />
      </label>
      {list.isPending ? (
        <div className="grid grid-cols-3 gap-3 sm:grid-cols-4" aria-busy>{Array.from({ length: 8 }, (_, i) => <Skeleton key={i} className="aspect-square w-full" />)}</div>
      ) : list.isError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">{explainListError(t, list.error, "post.media.error")}</p>
      ) : !data || data.items.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">{t("post.media.none")}</p>
      ) : (
        <ul className="grid grid-cols-3 gap-3 sm:grid-cols-4" aria-label={t("post.media.list")}>
          {data.items.map((m) => (
            <li key={m.id}>
              <button type="button" onClick={() => onPick(m)} data-media-id={m.id}
                className="group block w-full overflow-hidden rounded-lg border border-slate-200 text-start focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700">
                <span className="flex aspect-square items-center justify-center bg-slate-100 dark:bg-slate-900"><MediaThumb m={m} /></span>
                <span className="block truncate px-2 py-1 text-xs group-hover:underline" dir="auto">{m.title?.fa || m.title?.en || m.filename}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {data && data.total_pages > 1 && (
        <div className="flex items-center justify-between gap-2 text-sm">
          <Button variant="secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>{t("post.media.prev")}</Button>
          <span>{t("post.media.page", { page: number(page), pages: number(data.total_pages) })}</span>
          <Button variant="secondary" disabled={page >= data.total_pages} onClick={() => setPage((p) => p + 1)}>{t("post.media.next")}</Button>
        </div>
      )}
    </Modal>
  );
}
