"use client";
import { useState } from "react";
import { useI18n } from "@/lib/i18n";
import { explainError, explainListError } from "@/lib/errors";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Skeleton } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { postErrors, useRestoreRevision, useRevisionDiff, useRevisions } from "../../api";
import type { Post } from "../../types";
import { fieldLabel, shown } from "./ConflictDialog";
import { DiffView, InlineDiff } from "./DiffView";

/**
 * A revision's reason as shown: the server's own reasons (a save without one is "created" or
 * "edited", a restore "restored from N"; internal/content/posts) in the user's language, a
 * reason someone typed as typed.
 */
export function reasonText(reason: string, { t, number }: Pick<ReturnType<typeof useI18n>, "t" | "number">): string {
  if (reason === "created" || reason === "edited") return t(`post.rev.reason.${reason}`);
  const m = /^restored from (\d+)$/.exec(reason);
  return m ? t("post.rev.reason.restored", { n: number(Number(m[1])) }) : reason;
}

const selectClass = "block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-900";

/**
 * Every save of the post (newest first: who, when, why), the server's word
 * diff of the body, the title and the excerpt between any two (the other
 * fields that changed as old → new), and restore (which the server makes a new
 * revision; asked first). Restoring over unsaved changes is refused here:
 * the writer saves or discards first.
 */
export function RevisionsPanel({ post, etag, dirty, canEdit, onRestored }: { post: Post; etag: string; dirty: boolean; canEdit: boolean; onRestored: (p: Post) => void }) {
  const { t, dateTime, number } = useI18n();
  const toast = useToast();
  const list = useRevisions(post.id);
  const items = list.data ?? [];
  const [from, setFrom] = useState(0);
  const [to, setTo] = useState(0);
  const [restoring, setRestoring] = useState<number | null>(null);
  const restore = useRestoreRevision(post.id);
  // defaults: the latest against the one before it
  const toRev = to || items[0]?.number || 0;
  const fromRev = from || items[1]?.number || 0;
  const diff = useRevisionDiff(post.id, fromRev, toRev);

  async function doRestore(rev: number) {
    try {
      const p = await restore.mutateAsync({ rev, etag });
      toast("info", t("post.rev.restored", { n: number(rev) }));
      onRestored(p);
    } catch (e) {
      toast("error", explainError(t, e, postErrors));
    } finally {
      setRestoring(null);
    }
  }

  if (list.isPending) return <Skeleton className="h-24 w-full" />;
  if (list.isError) return <p role="alert" className="text-sm text-red-700 dark:text-red-400">{explainListError(t, list.error, "post.rev.error")}</p>;
  return (
    <div className="space-y-4">
      <ol className="max-h-72 space-y-2 overflow-auto" aria-label={t("post.rev.list")}>
        {items.map((r) => (
          <li key={r.number} className="flex items-start justify-between gap-2 rounded-md border border-slate-200 p-2 text-sm dark:border-slate-700" data-revision={r.number}>
            <div className="min-w-0">
              <p className="font-medium">{t("post.rev.n", { n: number(r.number) })}{r.number === post.revision && <span className="ms-2 text-xs font-normal text-slate-500">({t("post.rev.current")})</span>}</p>
              <p className="text-xs text-slate-600 dark:text-slate-400"><span dir="auto">{r.author ? r.author.name || `#${r.author.id}` : t("post.rev.someone")}</span> · <time dateTime={r.created_at}>{dateTime(r.created_at)}</time></p>
              {r.reason && <p className="text-xs break-words" dir="auto">{reasonText(r.reason, { t, number })}</p>}
            </div>
            {canEdit && r.number !== post.revision && (
              <Button variant="secondary" className="shrink-0 !px-2 !py-1 text-xs" disabled={dirty || restore.isPending} title={dirty ? t("post.rev.saveFirst") : undefined}
                onClick={() => setRestoring(r.number)} aria-label={t("post.rev.restoreN", { n: number(r.number) })}>{t("post.rev.restore")}</Button>
            )}
          </li>
        ))}
      </ol>
      {items.length >= 2 && (
        <div className="space-y-2">
          <div className="grid grid-cols-2 gap-2">
            <label className="text-xs">{t("post.rev.from")}
              <select className={selectClass} value={fromRev} onChange={(e) => setFrom(Number(e.target.value))}>
                {items.map((r) => <option key={r.number} value={r.number}>{t("post.rev.n", { n: number(r.number) })}</option>)}
              </select>
            </label>
            <label className="text-xs">{t("post.rev.to")}
              <select className={selectClass} value={toRev} onChange={(e) => setTo(Number(e.target.value))}>
                {items.map((r) => <option key={r.number} value={r.number}>{t("post.rev.n", { n: number(r.number) })}</option>)}
              </select>
            </label>
          </div>
          {fromRev === toRev ? <p className="text-xs text-slate-600 dark:text-slate-400">{t("post.rev.pickTwo")}</p>
            : diff.isPending ? <Skeleton className="h-20 w-full" />
            : diff.isError ? <p role="alert" className="text-sm text-red-700 dark:text-red-400">{explainError(t, diff.error, postErrors)}</p>
            : (
              <div className="space-y-2" data-testid="revision-changes">
                {(diff.data?.fields.length ?? 0) + (diff.data?.words.length ?? 0) > 0 && (
                  <dl className="space-y-1 text-xs" data-testid="revision-fields">
                    {diff.data!.words.map((w) => (
                      <div key={w.field} className="rounded border border-slate-200 p-1.5 dark:border-slate-700" data-field={w.field}>
                        <dt className="font-semibold">{t(fieldLabel[w.field])}</dt>
                        <dd><InlineDiff ops={w.ops} testId={`revision-${w.field}-diff`} /></dd>
                      </div>
                    ))}
                    {diff.data!.fields.map((c) => (
                      <div key={c.field} className="rounded border border-slate-200 p-1.5 dark:border-slate-700" data-field={c.field}>
                        <dt className="font-semibold">{t(fieldLabel[c.field])}</dt>
                        <dd className="break-words"><del className="line-through decoration-2"><span className="sr-only">{t("post.diff.deleted")} </span><bdi>{shown(c.from, t)}</bdi></del> <span aria-hidden className="inline-block rtl:rotate-180">→</span> <ins className="underline decoration-2"><span className="sr-only">{t("post.diff.inserted")} </span><bdi>{shown(c.to, t)}</bdi></ins></dd>
                      </div>
                    ))}
                  </dl>
                )}
                <DiffView ops={diff.data?.ops ?? []} testId="revision-diff" />
              </div>
            )}
        </div>
      )}
      <ConfirmDialog open={restoring !== null} title={t("post.rev.askTitle", { n: number(restoring ?? 0) })} busy={restore.isPending}
        confirmLabel={t("post.rev.restore")} cancelLabel={t("post.keep")} onCancel={() => setRestoring(null)} onConfirm={() => restoring && doRestore(restoring)}>
        <p>{t("post.rev.askBody", { title: `\u2068${post.title}\u2069` })}</p>
      </ConfirmDialog>
    </div>
  );
}
