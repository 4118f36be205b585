"use client";
import { useState } from "react";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { moveItem } from "../reorder";
import type { GalleryItem } from "../types";
import { MediaPicker, MediaThumb } from "./MediaPicker";
import { SortableList } from "./Sortable";

/**
 * A project's gallery: images from the library with a caption in each
 * language, in an order of its own (drag and drop, or the keyboard on each
 * image's handle); an image appears once. The order is the array's order,
 * saved with the project.
 */
export function GalleryEditor({ value, onChange, disabled }: { value: GalleryItem[]; onChange: (g: GalleryItem[]) => void; disabled?: boolean }) {
  const { t } = useI18n();
  const [picking, setPicking] = useState(false);
  const set = (i: number, patch: Partial<GalleryItem>) => onChange(value.map((g, j) => (j === i ? { ...g, ...patch } : g)));
  const add = (ids: number[]) => {
    const have = new Set(value.map((g) => g.media_id));
    onChange([...value, ...ids.filter((id) => !have.has(id)).map((media_id) => ({ media_id, caption_fa: "", caption_en: "" }))]);
  };
  return (
    <fieldset className="space-y-3" data-testid="gallery">
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">{t("projects.f.gallery")}</legend>
      {value.length === 0 && <p className="text-sm text-slate-500 dark:text-slate-400">{t("projects.gallery.empty")}</p>}
      {value.length > 0 && (
        <SortableList items={value} getKey={(g) => String(g.media_id)} itemName={(g) => g.caption_fa || g.caption_en || t("projects.gallery.image", { id: g.media_id })}
          onMove={(from, to) => onChange(moveItem(value, from, to))} label={t("projects.f.gallery")} disabled={disabled} testId="gallery-list">
          {(g, i) => (
            <div className="flex flex-wrap items-start gap-3">
              <MediaThumb id={g.media_id} className="size-20 shrink-0" />
              <div className="grid min-w-48 flex-1 grid-cols-1 gap-2 sm:grid-cols-2">
                <Field label={t("projects.gallery.captionFa")} dir="rtl" lang="fa" value={g.caption_fa} disabled={disabled} maxLength={300} onChange={(e) => set(i, { caption_fa: e.target.value })} />
                <Field label={t("projects.gallery.captionEn")} dir="ltr" lang="en" value={g.caption_en} disabled={disabled} maxLength={300} onChange={(e) => set(i, { caption_en: e.target.value })} />
              </div>
              <Button variant="ghost" disabled={disabled} onClick={() => onChange(value.filter((_, j) => j !== i))} aria-label={t("projects.gallery.remove", { id: g.media_id })}>{t("projects.remove")}</Button>
            </div>
          )}
        </SortableList>
      )}
      <Button variant="secondary" disabled={disabled} onClick={() => setPicking(true)} data-testid="gallery-add">{t("projects.gallery.add")}</Button>
      <MediaPicker open={picking} multiple onPick={add} onClose={() => setPicking(false)} />
    </fieldset>
  );
}
