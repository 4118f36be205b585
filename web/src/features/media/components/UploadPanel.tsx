"use client";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRef, useState, type DragEvent } from "react";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { useDeleteMedia, useMedia, type Media } from "../api";
import { humanSize } from "../format";
import { uploadQueue, useUploadQueue } from "../queue";
import { reasonKey } from "../reasons";
import { isActive, percentOf, type UploadError, type UploadItem } from "../upload";
import { MediaBadges } from "./MediaStatusBadge";
import { Thumb } from "./Thumb";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

const fieldNames: Record<string, MessageKey> = { content_type: "media.err.content_type", size: "media.err.size", filename: "media.err.filename" };

/** Field reasons this app explains in its own words. */
const fieldReasonTexts: Record<string, MessageKey> = { image_type_not_supported: "media.err.imageTypeNotSupported" };

/**
 * What went wrong with one file, in words: the server's own detail
 * follows, as it wrote it, unless its field reason is one this app explains.
 */
export function uploadErrorLines(e: UploadError, t: T): { text: string; detail?: string }[] {
  const fields = Object.entries(e.fields);
  if (e.code === "VALIDATION_FAILED" && fields.length) {
    return fields.map(([f, why]) => {
      const known = fieldReasonTexts[e.fieldReasons?.[f] ?? ""];
      return { text: fieldNames[f] ? t(fieldNames[f]) : f, detail: known ? t(known) : why };
    });
  }
  if (e.code === "NETWORK") return [{ text: t("media.err.network") }];
  if (e.code === "PERMISSION_DENIED") return [{ text: t("error.forbidden") }];
  if (e.code === "PAYLOAD_TOO_LARGE") return [{ text: t("media.err.size") }];
  if (e.code === "INTERNAL") return [{ text: t("media.err.server") }];
  return [{ text: t("media.err.other"), detail: e.message }];
}

/** The server's status of an item being processed, kept live by the "media" events. */
function LiveStatus({ m }: { m: Media | undefined }) {
  const { t } = useI18n();
  if (!m) return <span className="text-xs text-slate-500 dark:text-slate-400">{t("media.upload.processing")}</span>;
  const reason = reasonKey(m);
  return (
    <span className="flex min-w-0 flex-wrap items-center gap-2" data-testid="upload-status" data-status={m.status}>
      {m.status === "ready" && m.kind === "image" && (
        <span className="size-8 shrink-0 overflow-hidden rounded border border-slate-200 dark:border-slate-700"><Thumb m={m} /></span>
      )}
      <MediaBadges status={m.status} scan={m.scan} />
      {reason && <span className="text-xs text-rose-700 dark:text-rose-300" data-testid="upload-reason" data-reason={m.reason_code}>{t(reason)}</span>}
      <Link prefetch={false} href={`/media/detail?id=${m.id}`} className="text-xs text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("media.open")}</Link>
    </span>
  );
}

function UploadRow({ item, canDelete }: { item: UploadItem; canDelete: boolean }) {
  const { t, locale } = useI18n();
  const del = useDeleteMedia();
  const toast = useToast();
  const pct = percentOf(item);
  // until the server's answer, the item as the upload's last step returned it
  const live = useMedia(item.mediaId ?? 0, item.phase === "processing").data?.media ?? item.media;
  const name = item.file.name;
  const phaseText: Partial<Record<UploadItem["phase"], string>> = {
    queued: t("media.upload.queued"),
    requesting: t("media.upload.preparing"),
    sending: t("media.upload.sending", { pct }),
    completing: t("media.upload.completing"),
    cancelled: t("media.upload.cancelled"),
  };
  const deletePending = async () => {
    if (!item.mediaId) return;
    try {
      await del.mutateAsync(item.mediaId);
      uploadQueue.remove(item.key);
    } catch {
      toast("error", t("media.deleteFailed"));
    }
  };
  const bad = item.phase === "error" || live?.status === "rejected" || live?.status === "failed";
  const barColor = bad ? "bg-red-500" : item.phase === "cancelled" ? "bg-slate-400" : live?.status === "ready" ? "bg-emerald-500" : "bg-indigo-500";
  return (
    <li data-upload-row={name} data-phase={item.phase} data-media-id={item.mediaId ?? ""} className="space-y-1.5 py-3">
      <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1">
        <div className="flex min-w-0 items-baseline gap-2">
          <span className="truncate font-medium" dir="auto" title={name}>{name}</span>
          <span className="shrink-0 text-xs text-slate-500 dark:text-slate-400">{humanSize(item.file.size, locale)}</span>
        </div>
        <div className="flex shrink-0 items-center gap-1">
          {(item.phase === "queued" || isActive(item)) && (
            <Button variant="ghost" className="px-2 py-1 text-xs" onClick={() => uploadQueue.cancel(item.key)} aria-label={t("media.upload.cancelFile", { name })} data-testid="upload-cancel">{t("media.upload.cancel")}</Button>
          )}
          {(item.phase === "error" || item.phase === "cancelled") && (
            <Button variant="secondary" className="px-2 py-1 text-xs" onClick={() => uploadQueue.retry(item.key)} aria-label={t("media.upload.retryFile", { name })} data-testid="upload-retry">{t("media.upload.retry")}</Button>
          )}
          {item.phase === "cancelled" && item.mediaId && canDelete && (
            <Button variant="ghost" className="px-2 py-1 text-xs text-red-700 dark:text-red-300" onClick={deletePending} disabled={del.isPending} data-testid="upload-delete-pending">{t("media.upload.deletePending")}</Button>
          )}
          {!isActive(item) && item.phase !== "queued" && (
            <Button variant="ghost" className="px-2 py-1 text-xs" onClick={() => uploadQueue.remove(item.key)} aria-label={t("media.upload.removeFile", { name })} title={t("media.upload.remove")}>
              <span aria-hidden>{"✕"}</span>
            </Button>
          )}
        </div>
      </div>
      <div role="progressbar" aria-label={t("media.upload.progressOf", { name })} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-valuetext={t("media.upload.percent", { pct })}
        data-testid="upload-progress" className="h-1.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700">
        <div className={`h-full rounded-full transition-[width] duration-200 ${barColor}`} style={{ width: `${pct}%` }} />
      </div>
      <div className="flex min-h-6 flex-wrap items-center gap-2 text-xs text-slate-600 dark:text-slate-300" aria-live="polite">
        {item.phase === "processing" ? <LiveStatus m={live} /> : item.phase === "error" && item.error ? (
          <ul className="space-y-0.5 text-red-700 dark:text-red-300" data-testid="upload-error">
            {uploadErrorLines(item.error, t).map((l, i) => (
              <li key={i}>{l.text}{l.detail && <> <span dir="ltr" className="text-slate-500 dark:text-slate-400">({l.detail})</span></>}</li>
            ))}
          </ul>
        ) : <span>{phaseText[item.phase]}</span>}
      </div>
    </li>
  );
}

/** Drop zone and file picker, and one row per file with its progress and then its live status. */
export function UploadPanel({ canDelete }: { canDelete: boolean }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const items = useUploadQueue(qc);
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const onDrag = (e: DragEvent) => {
    if (!e.dataTransfer.types.includes("Files")) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    setOver(true);
  };
  const finished = items.filter((i) => !isActive(i) && i.phase !== "queued").length;
  return (
    <Card className="space-y-3" data-testid="upload-panel">
      <div
        data-testid="drop-zone" data-over={over || undefined}
        onDragEnter={onDrag} onDragOver={onDrag}
        onDragLeave={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false); }}
        onDrop={(e) => { e.preventDefault(); setOver(false); uploadQueue.add(e.dataTransfer.files); }}
        className={`flex flex-col items-center justify-center gap-3 rounded-lg border-2 border-dashed px-4 py-6 text-center transition sm:flex-row ${over ? "border-indigo-500 bg-indigo-50 dark:bg-indigo-950/50" : "border-slate-300 dark:border-slate-600"}`}>
        <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} aria-hidden className="size-8 text-slate-400 dark:text-slate-500">
          <path strokeLinecap="round" strokeLinejoin="round" d="M12 16V4m0 0-4 4m4-4 4 4M4 16v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-2" />
        </svg>
        <p className="text-sm text-slate-600 dark:text-slate-300">{t("media.upload.drop")}</p>
        <Button variant="secondary" onClick={() => input.current?.click()} data-testid="choose-files">{t("media.upload.choose")}</Button>
        <input ref={input} type="file" multiple className="hidden" data-testid="media-file-input" aria-label={t("media.upload.choose")}
          onChange={(e) => { if (e.target.files) uploadQueue.add(e.target.files); e.target.value = ""; }} />
      </div>
      {items.length > 0 && (
        <div>
          <div className="flex items-center justify-between gap-2">
            <h2 className="text-sm font-semibold">{t("media.upload.title")}</h2>
            {finished > 0 && <Button variant="ghost" className="px-2 py-1 text-xs" onClick={uploadQueue.clear} data-testid="upload-clear">{t("media.upload.clear")}</Button>}
          </div>
          <ul className="divide-y divide-slate-100 dark:divide-slate-700" data-testid="upload-list">
            {items.map((i) => <UploadRow key={i.key} item={i} canDelete={canDelete} />)}
          </ul>
        </div>
      )}
    </Card>
  );
}
