"use client";
import { useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState, type ButtonHTMLAttributes } from "react";
import { explainError, explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { plural } from "@/lib/plural";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { DataTable } from "@/components/ui/DataTable";
import { useCreateWebhook, useDeleteWebhook, useRotateSecret, useTestWebhook, useUpdateWebhook, useWebhooks, webhookErrors, webhookPageSize, webhookQuery } from "../api";
import type { Webhook } from "../types";
import { DeliveriesLog } from "./DeliveriesLog";
import { Modal } from "@/components/ui/Modal";
import { SecretReveal } from "./SecretReveal";
import { blankWebhook, formOf, WebhookForm, type WebhookFormValue } from "./WebhookForm";

const col = createColumnHelper<Webhook>();

/** The row actions' icons (24×24, stroked), each drawn for one action. */
const icons = {
  // the delivery log: a list
  log: "M8 6h13M8 12h13M8 18h13M3.5 6h.01M3.5 12h.01M3.5 18h.01",
  // a test send: a paper plane
  test: "M22 2 11 13M22 2l-7 20-4-9-9-4 20-7Z",
  // edit: a pencil
  edit: "M17 3a2.85 2.85 0 1 1 4 4L7.5 20.5 2 22l1.5-5.5Z",
  // a new secret: arrows going round
  rotate: "M21 4v6h-6M3 20v-6h6M5.1 9a8 8 0 0 1 13.2-3l2.7 4M3 14l2.7 4a8 8 0 0 0 13.2-3",
  // delete: a bin
  delete: "M3 6h18M19 6v14a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V6m3 0V4a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2M10 11v6M14 11v6",
} as const;

/**
 * One row action as an icon: its label is both its accessible name and its tooltip, so five
 * actions fit on one line of the table (at 1366 px, and on a phone) without hiding what each does.
 */
function RowAction({ label, icon, className = "", ...props }: { label: string; icon: keyof typeof icons } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <Button variant="ghost" aria-label={label} title={label} className={`size-8 shrink-0 !p-0 ${className}`} {...props}>
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden
        className={`size-4 ${icon === "test" ? "rtl:-scale-x-100" : ""}`}><path d={icons[icon]} /></svg>
    </Button>
  );
}

/**
 * The webhooks (webhooks.manage): the list, creating one (its secret shown
 * once), editing with If-Match, deleting and rotating the secret after a
 * confirmation, a test send, and each webhook's delivery log.
 */
export function WebhooksScreen() {
  const { t, dateTime, locale } = useI18n();
  const toast = useToast();
  const qc = useQueryClient();
  const [page, setPage] = useState(1);
  const list = useWebhooks(page);
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const rotate = useRotateSecret();
  const test = useTestWebhook();

  // the secret of a creation or rotation: this component's state is the only place it is kept, until dismissed
  const [reveal, setReveal] = useState<{ secret: string; url: string } | null>(null);
  const [editing, setEditing] = useState<{ webhook: Webhook | null; etag: string } | null>(null);
  const [confirm, setConfirm] = useState<{ kind: "delete" | "rotate"; webhook: Webhook } | null>(null);
  const [log, setLog] = useState<number | null>(null);
  const [error, setError] = useState("");

  const data = useMemo(() => list.data?.items ?? [], [list.data]);

  async function startEdit(w: Webhook) {
    setError("");
    try {
      const fresh = await qc.fetchQuery(webhookQuery(w.id));
      setEditing({ webhook: fresh.webhook, etag: fresh.etag });
    } catch (e) {
      setError(explainError(t, e, webhookErrors));
    }
  }

  async function submit(v: WebhookFormValue) {
    if (!editing) return;
    if (editing.webhook) {
      await update.mutateAsync({ id: editing.webhook.id, body: v, etag: editing.etag });
      toast("info", t("webhooks.saved"));
    } else {
      // a new webhook is active; the form asks only when editing
      const created = await create.mutateAsync({ url: v.url, description: v.description, events: v.events });
      setReveal({ secret: created.secret, url: created.url });
      create.reset(); // the mutation forgets the answer: the reveal holds the only copy
    }
    setEditing(null);
  }

  async function confirmed() {
    if (!confirm) return;
    const { kind, webhook } = confirm;
    setError("");
    try {
      if (kind === "delete") {
        await remove.mutateAsync(webhook.id);
        if (log === webhook.id) setLog(null);
        toast("info", t("webhooks.deleted"));
      } else {
        const rotated = await rotate.mutateAsync(webhook.id);
        setReveal({ secret: rotated.secret, url: rotated.url });
        rotate.reset();
      }
    } catch (e) {
      setError(explainError(t, e, webhookErrors));
    } finally {
      setConfirm(null);
    }
  }

  async function sendTest(w: Webhook) {
    setError("");
    try {
      await test.mutateAsync(w.id);
      setLog(w.id);
      toast("info", t("webhooks.testQueued"));
    } catch (e) {
      setError(explainError(t, e, webhookErrors));
    }
  }

  // not memoised: the table has no selection to keep, and the actions close over this render's state
  const columns = [
    col.accessor("url", {
      header: () => t("webhooks.f.url"),
      cell: (c) => (
        <div className="min-w-48">
          <div dir="ltr" className="break-all font-mono text-xs">{c.getValue()}</div>
          {c.row.original.description && <div dir="auto" className="text-xs text-slate-500 dark:text-slate-400">{c.row.original.description}</div>}
        </div>
      ),
    }),
    col.accessor("events", {
      header: () => t("webhooks.f.events"),
      cell: (c) => (c.getValue().length === 0 ? t("webhooks.allEvents") : <ul className="text-xs" dir="ltr">{c.getValue().map((e) => <li key={e}><code>{e}</code></li>)}</ul>),
    }),
    col.accessor("active", {
      header: () => t("webhooks.f.state"),
      cell: (c) => <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${c.getValue() ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200" : "bg-slate-100 text-slate-600 dark:bg-slate-700 dark:text-slate-300"}`}>{c.getValue() ? t("webhooks.active") : t("webhooks.paused")}</span>,
    }),
    col.accessor("secret_hint", { header: () => t("webhooks.secret.label"), cell: (c) => <code dir="ltr" className="text-xs" data-testid="secret-hint">{c.getValue()}</code> }),
    col.accessor("created_at", { header: () => t("webhooks.createdAt"), cell: (c) => <time dateTime={c.getValue()} className="whitespace-nowrap text-xs">{dateTime(c.getValue())}</time> }),
    col.display({
      id: "actions",
      header: () => <span className="sr-only">{t("webhooks.actions")}</span>,
      cell: (c) => {
        const w = c.row.original;
        return (
          <div className="flex flex-nowrap items-center gap-0.5" role="group" aria-label={t("webhooks.actionsFor", { url: w.url })}>
            <RowAction label={t("webhooks.d.title")} icon="log" aria-expanded={log === w.id} onClick={() => setLog(log === w.id ? null : w.id)} data-action="log" />
            <RowAction label={t("webhooks.test")} icon="test" onClick={() => void sendTest(w)} data-action="test" />
            <RowAction label={t("webhooks.edit")} icon="edit" onClick={() => void startEdit(w)} data-action="edit" />
            <RowAction label={t("webhooks.rotate")} icon="rotate" onClick={() => setConfirm({ kind: "rotate", webhook: w })} data-action="rotate" />
            <RowAction label={t("webhooks.delete")} icon="delete" className="text-red-700 dark:text-red-400" onClick={() => setConfirm({ kind: "delete", webhook: w })} data-action="delete" />
          </div>
        );
      },
    }),
  ];

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("webhooks.title")}</h1>
        <Button onClick={() => { setError(""); setEditing({ webhook: null, etag: "" }); }} data-testid="webhook-new">{t("webhooks.new")}</Button>
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-400">{t("webhooks.intro")}</p>
      {reveal && <SecretReveal secret={reveal.secret} url={reveal.url} onDismiss={() => setReveal(null)} />}
      {error && <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-700 dark:border-red-800 dark:bg-red-950/50 dark:text-red-300" data-testid="webhooks-error">{error}</p>}

      <DataTable label={t("webhooks.title")} data={data} columns={columns} getRowId={(w) => String(w.id)} loading={list.isPending} fetching={list.isFetching} testId="webhooks-table"
        rowAttributes={(w) => ({ "data-webhook-id": w.id })}
        afterRow={(w) => log === w.id && (
          <tr><td colSpan={columns.length} className="bg-slate-50 dark:bg-slate-900/50">
            {/* as wide as the visible part of the table and kept at its start: on a phone the table scrolls sideways, the log stays in view */}
            <div className="sticky start-0 w-[min(100%,calc(100vw-2rem-2px))]"><DeliveriesLog webhookId={w.id} /></div>
          </td></tr>
        )}
        empty={<p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="webhooks-empty">{t("webhooks.empty")}</p>}
        error={list.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{explainListError(t, list.error, "webhooks.error")}</p>
            <Button variant="secondary" onClick={() => list.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
        paging={list.isError ? undefined : {
          mode: "page", summary: plural(locale, list.data?.total ?? 0, { one: t("webhooks.total.one"), other: t("webhooks.total.other") }), page, pages: list.data?.total_pages ?? page, pageSize: webhookPageSize, pageSizes: [webhookPageSize],
          onPage: setPage, onPageSize: () => {},
        }} />

      <Modal open={editing !== null} title={editing?.webhook ? t("webhooks.editTitle") : t("webhooks.newTitle")} onClose={() => setEditing(null)} size="lg" focusFirst={false} testId="webhook-dialog">
        {editing && <WebhookForm key={editing.webhook?.id ?? 0} initial={editing.webhook ? formOf(editing.webhook) : blankWebhook} editing={!!editing.webhook} onSubmit={submit} onCancel={() => setEditing(null)} />}
      </Modal>
      <ConfirmDialog open={confirm !== null} danger busy={remove.isPending || rotate.isPending}
        title={confirm ? t(confirm.kind === "delete" ? "webhooks.confirmDelete" : "webhooks.confirmRotate", { url: confirm.webhook.url }) : ""}
        confirmLabel={confirm?.kind === "delete" ? t("webhooks.delete") : t("webhooks.rotate")} cancelLabel={t("webhooks.cancel")}
        onConfirm={() => void confirmed()} onCancel={() => setConfirm(null)}>
        <p>{confirm?.kind === "delete" ? t("webhooks.confirmDeleteBody") : t("webhooks.confirmRotateBody")}</p>
      </ConfirmDialog>
    </div>
  );
}
