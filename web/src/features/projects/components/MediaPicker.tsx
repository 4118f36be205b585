"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { Modal } from "@/components/ui/Modal";
import { mediaItemQuery, readyImagesQuery, thumbnailOf, type Media } from "../api";

const altOf = (m: Media) => m.alt.fa || m.alt.en || m.filename;

/** A media item's thumbnail by id (the cover, a gallery image); its file name while loading or when gone. */
export function MediaThumb({ id, className = "" }: { id: number; className?: string }) {
  const { t } = useI18n();
  const m = useQuery({ ...mediaItemQuery(id), refetchOnWindowFocus: false });
  const src = m.data ? thumbnailOf(m.data) : null;
  return (
    <div className={`flex items-center justify-center overflow-hidden rounded-md bg-slate-100 dark:bg-slate-900 ${className}`} data-media-id={id}>
      {/* signed storage URLs: nothing for next/image to optimise in a static export */}
      {/* eslint-disable-next-line @next/next/no-img-element */}
      {src ? <img src={src} alt={altOf(m.data!)} className="h-full w-full object-cover" /> : <span className="p-1 text-center text-xs text-slate-500" dir="ltr">{m.isError ? t("projects.media.gone", { id }) : `#${id}`}</span>}
    </div>
  );
}

/**
 * A dialog listing the library's ready images (searchable, paged) to pick
 * one (the cover) or several (the gallery). Escape or Cancel closes it;
 * focus returns to the button that opened it.
 */
export function MediaPicker({ open, multiple, onPick, onClose }: { open: boolean; multiple?: boolean; onPick: (ids: number[]) => void; onClose: () => void }) {
  const { t } = useI18n();
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [picked, setPicked] = useState<number[]>([]);
  const list = useQuery({ ...readyImagesQuery(q, page), enabled: open });

  const close = () => {
    setPicked([]);
    onClose();
  };
  const choose = (id: number) => {
    if (!multiple) {
      onPick([id]);
      close();
      return;
    }
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  };
  const items = list.data?.items ?? [];

  // focus starts on Cancel (its autoFocus), not on the search field
  return (
    <Modal open={open} title={multiple ? t("projects.media.pickMany") : t("projects.media.pickOne")} onClose={close} size="3xl" focusFirst={false} testId="media-picker">
      <Field label={t("projects.media.search")} type="search" value={q} onChange={(e) => { setQ(e.target.value); setPage(1); }} dir="auto" />
      {list.isError && <p role="alert" className="text-sm text-red-600">{explainListError(t, list.error, "projects.media.error")}</p>}
      {list.isSuccess && items.length === 0 && <p className="text-sm text-slate-500">{t("projects.media.none")}</p>}
      <ul className="grid max-h-96 grid-cols-3 gap-2 overflow-y-auto sm:grid-cols-4 md:grid-cols-6">
        {items.map((m) => {
          const on = picked.includes(m.id);
          const src = thumbnailOf(m);
          return (
            <li key={m.id}>
              <button type="button" onClick={() => choose(m.id)} aria-pressed={multiple ? on : undefined} aria-label={altOf(m)} data-pick={m.id}
                className={`block aspect-square w-full overflow-hidden rounded-md border-2 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${on ? "border-indigo-600" : "border-transparent"}`}>
                {/* eslint-disable-next-line @next/next/no-img-element */}
                {src ? <img src={src} alt="" className="h-full w-full object-cover" /> : <span className="text-xs" dir="ltr">{m.filename}</span>}
              </button>
            </li>
          );
        })}
      </ul>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex gap-2">
          <Button variant="ghost" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>{t("orders.prev")}</Button>
          <Button variant="ghost" disabled={page >= (list.data?.total_pages ?? 1)} onClick={() => setPage((p) => p + 1)}>{t("orders.next")}</Button>
        </div>
        <div className="flex gap-2">
          <Button variant="secondary" onClick={close} autoFocus>{t("projects.cancel")}</Button>
          {multiple && <Button disabled={picked.length === 0} onClick={() => { onPick(picked); close(); }} data-testid="media-pick-done">{t("projects.media.add", { n: picked.length })}</Button>}
        </div>
      </div>
    </Modal>
  );
}
