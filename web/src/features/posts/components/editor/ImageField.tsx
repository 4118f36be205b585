"use client";
import { useState } from "react";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { useMediaItem } from "../../api";
import { MediaPicker, MediaThumb } from "./MediaPicker";

/** A media-library image field (cover, Open Graph image): its thumbnail, choose, remove. */
export function ImageField({ label, value, onChange }: { label: string; value: number | null; onChange: (id: number | null) => void }) {
  const { t } = useI18n();
  const [picking, setPicking] = useState(false);
  const item = useMediaItem(value);
  return (
    <div>
      <p className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">{label}</p>
      <div className="flex items-center gap-3">
        <div className="flex size-16 shrink-0 items-center justify-center overflow-hidden rounded-md border border-slate-200 bg-slate-50 text-xs text-slate-500 dark:border-slate-700 dark:bg-slate-900">
          {value ? (item.data ? <MediaThumb m={item.data} /> : <span dir="ltr">#{value}</span>) : <span>{t("post.image.none")}</span>}
        </div>
        <div className="flex flex-wrap gap-2">
          <Button type="button" variant="secondary" onClick={() => setPicking(true)} aria-label={`${t("post.image.choose")}: ${label}`}>{t("post.image.choose")}</Button>
          {value !== null && <Button type="button" variant="ghost" onClick={() => onChange(null)} aria-label={`${t("post.image.remove")}: ${label}`}>{t("post.image.remove")}</Button>}
        </div>
      </div>
      <MediaPicker open={picking} title={label} onClose={() => setPicking(false)} onPick={(m) => { setPicking(false); onChange(m.id); }} />
    </div>
  );
}
