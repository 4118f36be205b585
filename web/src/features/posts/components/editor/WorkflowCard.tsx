"use client";
import { useState } from "react";
import { useI18n } from "@/lib/i18n";
import { explainError } from "@/lib/errors";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { DatePicker } from "@/components/ui/DatePicker";
import { postErrors, usePublishChanges, useTransition } from "../../api";
import type { Post } from "../../types";
import { actionsFor, hasUnpublishedChanges, instantOf, type WorkflowAction } from "../../workflow";

/**
 * The workflow buttons for the post's status and the user's permissions;
 * Publish, Unpublish and Archive ask first, naming the post; Schedule and
 * Schedule unpublish ask for a day (Jalali in fa) and a time. Moves are
 * refused while there are unsaved changes (they would not be part of what
 * is published).
 */
export function WorkflowCard({ post, etag, dirty, can, onMoved }: { post: Post; etag: string; dirty: boolean; can: (perm: string) => boolean; onMoved: (p: Post) => void }) {
  const { t, dateTime } = useI18n();
  const toast = useToast();
  const transition = useTransition(post.id);
  const publishChanges = usePublishChanges(post.id);
  const busy = transition.isPending || publishChanges.isPending;
  const [asking, setAsking] = useState<WorkflowAction | null>(null);
  const [timing, setTiming] = useState<WorkflowAction | null>(null);
  const [day, setDay] = useState("");
  const [time, setTime] = useState("09:00");
  const unpublished = hasUnpublishedChanges(post);
  const actions = actionsFor(post.status, post.allowed_next, can, unpublished);
  const name = `\u2068${post.title}\u2069`;
  const askKind = (a: WorkflowAction | null) => (a?.key === "unpublish" || a?.key === "archive" || a?.key === "publishChanges" ? a.key : "publish");

  async function run(a: WorkflowAction, at?: string) {
    try {
      const p = a.key === "publishChanges" ? await publishChanges.mutateAsync({ etag }) : await transition.mutateAsync({ to: a.to, at, etag });
      toast("info", t(`post.wf.done.${a.key}`, { title: name }));
      setTiming(null);
      onMoved(p);
    } catch (e) {
      toast("error", explainError(t, e, postErrors));
    } finally {
      setAsking(null);
    }
  }
  const at = instantOf(day, time);
  // checked when confirmed (the clock moves on while the form is open); the server checks again
  const [inPast, setInPast] = useState(false);
  function confirmTime() {
    if (!timing || !at) return;
    const past = new Date(at).getTime() <= Date.now();
    setInPast(past);
    if (!past) void run(timing, at);
  }

  return (
    <div className="space-y-3">
      <p className="text-sm">{t("post.wf.status")}: <strong data-testid="post-status">{t(`post.status.${post.status}`)}</strong></p>
      {post.status === "scheduled" && post.publish_at && <p className="text-xs text-slate-600 dark:text-slate-400">{t("post.wf.publishesAt", { at: dateTime(post.publish_at) })}</p>}
      {post.unpublish_at && <p className="text-xs text-slate-600 dark:text-slate-400">{t("post.wf.unpublishesAt", { at: dateTime(post.unpublish_at) })}</p>}
      {unpublished && <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="unpublished-changes">{t("post.wf.unpublishedChanges")}</p>}
      {dirty && actions.length > 0 && <p className="text-xs text-amber-800 dark:text-amber-300">{t("post.wf.saveFirst")}</p>}
      <div className="flex flex-wrap gap-2">
        {actions.map((a) => (
          <Button key={a.key} variant={a.danger ? "danger" : a.key === "publish" || a.key === "publishChanges" ? "primary" : "secondary"} disabled={dirty || busy} data-action={a.key}
            onClick={() => (a.needsTime ? setTiming(a) : a.confirm ? setAsking(a) : run(a))}>
            {t(`post.wf.${a.key}`)}
          </Button>
        ))}
      </div>
      {timing && (
        <form className="space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-700" onSubmit={(e) => { e.preventDefault(); confirmTime(); }} data-testid="schedule-form">
          <p className="text-sm font-medium">{t(`post.wf.${timing.key}`)}</p>
          <DatePicker label={t("post.wf.day")} value={day} onChange={(d) => { setDay(d); setInPast(false); }} name="schedule-day" />
          <label className="block text-sm">
            <span className="mb-1 block font-medium text-slate-700 dark:text-slate-300">{t("post.wf.time")}</span>
            <input type="time" value={time} onChange={(e) => { setTime(e.target.value); setInPast(false); }} required dir="ltr"
              className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-900" />
          </label>
          {inPast && <p role="alert" className="text-xs text-red-700 dark:text-red-400">{t("post.wf.past")}</p>}
          <div className="flex gap-2">
            <Button type="submit" disabled={!at || busy}>{t("post.wf.confirmTime")}</Button>
            <Button type="button" variant="secondary" onClick={() => setTiming(null)}>{t("post.keep")}</Button>
          </div>
        </form>
      )}
      <ConfirmDialog open={asking !== null} danger={asking?.danger} busy={busy}
        title={t(`post.wf.ask.${askKind(asking)}`, { title: name })}
        confirmLabel={asking ? t(`post.wf.${asking.key}`) : ""} cancelLabel={t("post.keep")}
        onCancel={() => setAsking(null)} onConfirm={() => asking && run(asking)}>
        <p>{t(`post.wf.askBody.${askKind(asking)}`)}</p>
      </ConfirmDialog>
    </div>
  );
}
