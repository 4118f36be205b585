"use client";
import { useEffect, useState } from "react";
import { useI18n } from "@/lib/i18n";
import { copyText } from "@/lib/clipboard";
import { explainError } from "@/lib/errors";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { leavePresence, postErrors, usePresence, usePreviewLink } from "../../api";
import type { AutosaveState } from "../../autosave";
import type { PreviewLink } from "../../types";

/** "Saved 12:03", "Saving…", "Offline": where the autosave stands, announced politely. */
export function AutosaveIndicator({ state }: { state: AutosaveState }) {
  const { t, locale } = useI18n();
  const text =
    state.kind === "saving" ? t("post.auto.saving")
    : state.kind === "pending" ? t("post.auto.pending")
    : state.kind === "saved" ? t("post.auto.saved", { time: new Intl.DateTimeFormat(locale === "fa" ? "fa-IR" : "en-US", { hour: "2-digit", minute: "2-digit" }).format(state.at) })
    : state.kind === "offline" ? t("post.auto.offline")
    : state.kind === "failed" ? t("post.auto.failed")
    : "";
  const tone = state.kind === "offline" || state.kind === "failed" ? "text-amber-800 dark:text-amber-300" : "text-slate-500 dark:text-slate-400";
  return <span role="status" aria-live="polite" className={`text-xs ${tone}`} data-testid="autosave" data-state={state.kind}>{text}</span>;
}

const initials = (name: string) => [...name.trim()].slice(0, 1).join("") || "?";

/**
 * Who else has the post open: a heartbeat every 15 s (and on each "posts"
 * event), and a goodbye when the editor closes.
 */
export function PresenceBar({ postId, meId }: { postId: number; meId?: number }) {
  const { t } = useI18n();
  const presence = usePresence(postId);
  useEffect(() => () => leavePresence(postId), [postId]);
  const others = (presence.data ?? []).filter((e) => e.id !== meId);
  if (others.length === 0) return null;
  const nameOf = (e: { id: number; name: string }) => e.name || `#${e.id}`;
  const names = others.map(nameOf).join(t("post.presence.sep"));
  return (
    <div className="flex items-center gap-2 text-xs" data-testid="presence" aria-live="polite">
      <span className="text-slate-600 dark:text-slate-300">{t("post.presence.also", { names })}</span>
      <span className="flex -space-x-2 rtl:space-x-reverse" aria-hidden>
        {others.slice(0, 4).map((e) => (
          <span key={e.id} title={nameOf(e)} className="flex size-7 items-center justify-center rounded-full border-2 border-white bg-indigo-600 text-xs font-semibold text-white dark:border-slate-800">{initials(nameOf(e))}</span>
        ))}
      </span>
    </div>
  );
}

/** Makes a signed, expiring preview link of the draft and offers to copy it. */
export function PreviewLinkButton({ postId }: { postId: number }) {
  const { t, dateTime } = useI18n();
  const toast = useToast();
  const make = usePreviewLink(postId);
  const [link, setLink] = useState<PreviewLink | null>(null);
  async function create() {
    try {
      setLink(await make.mutateAsync());
    } catch (e) {
      toast("error", explainError(t, e, postErrors));
    }
  }
  async function copy() {
    if (link && (await copyText(link.url))) toast("info", t("post.previewLink.copied"));
    else toast("error", t("post.previewLink.copyFailed"));
  }
  return (
    <div className="space-y-2">
      <Button variant="secondary" onClick={create} disabled={make.isPending} data-testid="preview-link">{t("post.previewLink.make")}</Button>
      {link && (
        <div className="space-y-1">
          <label className="block text-xs">
            <span className="mb-1 block text-slate-600 dark:text-slate-400">{t("post.previewLink.label", { at: dateTime(link.expires_at) })}</span>
            <input readOnly value={link.url} dir="ltr" onFocus={(e) => e.currentTarget.select()}
              className="block w-full rounded-md border border-slate-300 bg-slate-50 px-2 py-1.5 text-xs dark:border-slate-600 dark:bg-slate-900" />
          </label>
          <Button variant="ghost" onClick={copy} data-testid="copy-preview-link">{t("post.previewLink.copy")}</Button>
        </div>
      )}
    </div>
  );
}
