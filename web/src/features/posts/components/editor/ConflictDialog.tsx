"use client";
import { useMemo, useState } from "react";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { Button } from "@/components/ui/Button";
import { diffWords } from "../../diff";
import type { EditorForm } from "../../form";
import { compare, defaultChoices, merge, overwrite, type MergeField, type Side } from "../../merge";
import { DiffView } from "./DiffView";
import { Modal } from "@/components/ui/Modal";

export const fieldLabel: Record<MergeField, MessageKey> = {
  title: "post.title", slug: "post.slug", lang: "post.lang", excerpt: "post.excerpt", body_md: "post.body", tags: "post.tags",
  categories: "post.categories", authors: "post.authors", cover_media_id: "post.cover", translation_of: "post.translationShort",
  "seo.title": "post.seo.title", "seo.description": "post.seo.description", "seo.canonical_url": "post.seo.canonical", "seo.og_image_media_id": "post.seo.ogImage",
};

/** A field's value for reading: lists joined, nothing as "(empty)". */
export function shown(v: unknown, t: (k: MessageKey) => string): string {
  if (v === null || v === undefined || v === "") return t("post.conflict.empty");
  if (Array.isArray(v)) return v.length ? v.join("، ") : t("post.conflict.empty");
  return String(v);
}

/**
 * Someone saved the post while this writer was editing (412): what changed,
 * field by field (the body as a word diff from theirs to mine), and per
 * field keep mine or take theirs; then save the merge, or overwrite with
 * everything mine. Both save over the version now on the server (its ETag).
 */
export function ConflictDialog({ open, base, mine, theirs, busy, onResolve, onCancel }: {
  open: boolean; base: EditorForm; mine: EditorForm; theirs: EditorForm; busy?: boolean;
  onResolve: (merged: EditorForm) => void; onCancel: () => void;
}) {
  const { t } = useI18n();
  const rows = useMemo(() => compare(base, mine, theirs), [base, mine, theirs]);
  const [choices, setChoices] = useState<Record<string, Side>>(() => defaultChoices(rows));
  const choose = (f: MergeField, s: Side) => setChoices((c) => ({ ...c, [f]: s }));
  const name = `\u2068${theirs.title || mine.title}\u2069`;
  return (
    <Modal open={open} title={t("post.conflict.title")} onClose={onCancel} size="4xl" closeLabel={t("post.close")} testId="conflict-dialog">
      <p className="text-sm text-slate-700 dark:text-slate-300">{t("post.conflict.intro", { title: name })}</p>
      {rows.length === 0 ? (
        <p className="text-sm">{t("post.conflict.none")}</p>
      ) : (
        <ul className="space-y-3">
          {rows.map((r) => (
            <li key={r.field} className={`rounded-lg border p-3 ${r.conflict ? "border-amber-400 dark:border-amber-600" : "border-slate-200 dark:border-slate-700"}`} data-field={r.field}>
              <fieldset>
                <legend className="mb-2 flex flex-wrap items-center gap-2 text-sm font-semibold">
                  {t(fieldLabel[r.field])}
                  <span className="text-xs font-normal text-slate-600 dark:text-slate-400">
                    {r.conflict ? t("post.conflict.both") : r.changedByThem ? t("post.conflict.theirsOnly") : t("post.conflict.mineOnly")}
                  </span>
                </legend>
                {r.field === "body_md" ? (
                  <>
                    <p className="mb-1 text-xs text-slate-600 dark:text-slate-400">{t("post.conflict.bodyDiff")}</p>
                    <DiffView ops={diffWords(String(r.theirs ?? ""), String(r.mine ?? ""))} testId="conflict-body-diff" />
                  </>
                ) : (
                  <dl className="grid grid-cols-1 gap-2 text-sm sm:grid-cols-2">
                    <div><dt className="text-xs text-slate-500 dark:text-slate-400">{t("post.conflict.theirs")}</dt><dd dir="auto" className="break-words">{shown(r.theirs, t)}</dd></div>
                    <div><dt className="text-xs text-slate-500 dark:text-slate-400">{t("post.conflict.mine")}</dt><dd dir="auto" className="break-words">{shown(r.mine, t)}</dd></div>
                  </dl>
                )}
                <div className="mt-2 flex flex-wrap gap-4 text-sm">
                  {(["mine", "theirs"] as const).map((s) => (
                    <label key={s} className="inline-flex items-center gap-2">
                      <input type="radio" name={`merge-${r.field}`} checked={choices[r.field] === s} onChange={() => choose(r.field, s)} />
                      {t(s === "mine" ? "post.conflict.keepMine" : "post.conflict.takeTheirs")}
                    </label>
                  ))}
                </div>
              </fieldset>
            </li>
          ))}
        </ul>
      )}
      <div className="flex flex-wrap justify-end gap-2 pt-2">
        <Button variant="secondary" onClick={onCancel} disabled={busy}>{t("post.conflict.cancel")}</Button>
        <Button variant="danger" onClick={() => onResolve(overwrite(mine))} disabled={busy} data-testid="conflict-overwrite">{t("post.conflict.overwrite")}</Button>
        <Button onClick={() => onResolve(merge(mine, theirs, choices))} disabled={busy} data-testid="conflict-merge">{t("post.conflict.saveMerged")}</Button>
      </div>
    </Modal>
  );
}
