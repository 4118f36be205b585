"use client";
import { useQueryClient } from "@tanstack/react-query";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { explainError, explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { can, useMe } from "@/lib/me";
import { plural } from "@/lib/plural";
import { useToast } from "@/lib/toast";
import { useDraft, useUrlState } from "@/lib/urlState";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { DataTable } from "@/components/ui/DataTable";
import { Field, Select } from "@/components/ui/Field";
import { Modal } from "@/components/ui/Modal";
import { faqErrors, faqPageSize, faqQuery, useCanned, useDeleteCanned, useDeleteFaq, useFaqList, useSaveCanned, useSaveFaq, type Canned, type Faq } from "../api";
import { faqCodec, type FaqView } from "../logic";
import { CannedForm, FaqForm, type CannedFormValue, type FaqFormValue } from "./FaqForm";

const col = createColumnHelper<Faq>();
const ccol = createColumnHelper<Canned>();
const small = "px-2 py-1 text-xs";
const tab = "whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium transition focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 text-slate-600 hover:text-slate-900 aria-pressed:bg-white aria-pressed:text-indigo-700 aria-pressed:shadow-sm dark:text-slate-300 dark:hover:text-white dark:aria-pressed:bg-slate-700 dark:aria-pressed:text-indigo-200";

/**
 * The chatbot's knowledge base (chatbot.view): FAQ entries by language,
 * searched by the server as the bot matches questions, and, for those who answer or manage
 * chats, the canned replies. chatbot.manage creates, edits (If-Match) and
 * deletes both. Live through the "faq" and "chat_canned" events.
 */
export function FaqScreen() {
  const { t } = useI18n();
  const url = useUrlState(faqCodec);
  const view = url.state;
  const me = useMe();
  const mayManage = can(me.data, "chatbot.manage");
  const mayCanned = mayManage || can(me.data, "chatbot.handle");
  const current = view.tab === "canned" && mayCanned ? "canned" : "faq";
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("faq.title")}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">{t("faq.intro")}</p>
      {mayCanned && (
        <div role="group" aria-label={t("faq.title")} data-testid="faq-tabs" className="inline-flex max-w-full overflow-x-auto rounded-lg bg-slate-100 p-1 dark:bg-slate-900">
          {(["faq", "canned"] as const).map((x) => (
            <button key={x} type="button" aria-pressed={current === x} data-tab={x} className={tab} onClick={() => url.update({ tab: x, q: "", lang: "" })}>{t(`faq.tab.${x}`)}</button>
          ))}
        </div>
      )}
      {current === "faq" ? <FaqEntries view={view} update={url.update} setPage={url.setPage} mayManage={mayManage} /> : <CannedReplies mayManage={mayManage} />}
    </div>
  );
}

function FaqEntries({ view, update, setPage, mayManage }: { view: FaqView; update: (p: Partial<FaqView>) => void; setPage: (n: number) => void; mayManage: boolean }) {
  const { t, dateTime, number, locale } = useI18n();
  const toast = useToast();
  const qc = useQueryClient();
  const list = useFaqList(view.lang, view.q, view.page);
  const save = useSaveFaq();
  const remove = useDeleteFaq();
  const [q, setQ, flushQ] = useDraft(view.q, (v) => update({ q: v.trim() }));
  const [editing, setEditing] = useState<{ faq: Faq | null; etag: string } | null>(null);
  const [deleting, setDeleting] = useState<Faq | null>(null);
  const [error, setError] = useState("");
  const data = useMemo(() => list.data?.items ?? [], [list.data]);

  async function startEdit(f: Faq) {
    setError("");
    try {
      const fresh = await qc.fetchQuery(faqQuery(f.id));
      setEditing({ faq: fresh.faq, etag: fresh.etag });
    } catch (e) {
      setError(explainError(t, e, faqErrors));
    }
  }

  async function confirmDelete() {
    if (!deleting) return;
    setError("");
    try {
      const fresh = await qc.fetchQuery(faqQuery(deleting.id));
      await remove.mutateAsync({ id: deleting.id, etag: fresh.etag });
      toast("info", t("faq.deleted"));
    } catch (e) {
      setError(explainError(t, e, faqErrors));
    } finally {
      setDeleting(null);
    }
  }

  const columns = [
    col.accessor("question", {
      header: () => t("faq.f.question"),
      cell: (c) => (
        <div className="min-w-48 space-y-1">
          <div dir="auto" className="font-medium">{c.getValue()}</div>
          {c.row.original.phrasings.length > 0 && <div className="text-xs text-slate-500 dark:text-slate-400">{t("faq.phrasingsCount", { n: number(c.row.original.phrasings.length) })}</div>}
        </div>
      ),
    }),
    col.accessor("answer", { header: () => t("faq.f.answer"), cell: (c) => <p dir="auto" className="line-clamp-3 min-w-48 max-w-md break-words text-slate-700 dark:text-slate-300">{c.getValue()}</p> }),
    col.accessor("lang", { header: () => t("faq.f.lang"), cell: (c) => <span lang={c.getValue()}>{t(`content.lang.${c.getValue()}`)}</span> }),
    col.accessor("updated_at", { header: () => t("faq.updated"), cell: (c) => <time dateTime={c.getValue()} className="whitespace-nowrap text-xs">{dateTime(c.getValue())}</time> }),
    ...(mayManage ? [col.display({
      id: "actions",
      // relative: the hidden header stays inside the scrolling table (an absolute one at the far column would widen the page on a phone)
      header: () => <span className="relative"><span className="sr-only">{t("faq.actions")}</span></span>,
      cell: (c) => (
        <div className="flex gap-1" role="group" aria-label={t("faq.actionsFor", { q: c.row.original.question.slice(0, 60) })}>
          <Button variant="ghost" className={small} onClick={() => void startEdit(c.row.original)} data-action="edit">{t("faq.edit")}</Button>
          <Button variant="ghost" className={`${small} text-red-700 dark:text-red-400`} onClick={() => setDeleting(c.row.original)} data-action="delete">{t("faq.delete")}</Button>
        </div>
      ),
    })] : []),
  ];

  const total = list.data?.total ?? 0;
  const summary = plural(locale, total, { one: t("faq.total.one", { n: number(total) }), other: t("faq.total.other", { n: number(total) }) });
  const blank: FaqFormValue = { lang: view.lang || (locale === "en" ? "en" : "fa"), question: "", answer: "", phrasings: "" };

  return (
    <div className="space-y-4">
      <Card className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <form role="search" className="grid w-full grid-cols-1 gap-3 sm:flex-1 sm:grid-cols-2" onSubmit={(e) => { e.preventDefault(); flushQ(); }}>
          <Field label={t("faq.search")} type="search" name="q" dir="auto" value={q} onChange={(e) => setQ(e.target.value.slice(0, 200))} />
          <Select label={t("faq.f.lang")} name="lang" value={view.lang} onChange={(e) => update({ lang: e.target.value as FaqView["lang"] })}>
            <option value="">{t("content.lang.any")}</option>
            <option value="fa">{t("content.lang.fa")}</option>
            <option value="en">{t("content.lang.en")}</option>
          </Select>
        </form>
        {mayManage && <Button className="self-start sm:self-auto" onClick={() => { setError(""); setEditing({ faq: null, etag: "" }); }} data-testid="faq-new">{t("faq.new")}</Button>}
      </Card>
      {error && <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-700 dark:border-red-800 dark:bg-red-950/50 dark:text-red-300" data-testid="faq-error">{error}</p>}
      <DataTable label={t("faq.title")} data={data} columns={columns} getRowId={(f) => String(f.id)} loading={list.isPending} fetching={list.isFetching} testId="faq-table"
        rowAttributes={(f) => ({ "data-faq-id": f.id })}
        empty={<p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="faq-empty">{view.q || view.lang ? t("faq.noMatch") : t("faq.empty")}</p>}
        error={list.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{explainListError(t, list.error, "faq.error")}</p>
            <Button variant="secondary" onClick={() => list.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
        paging={list.isError ? undefined : { mode: "page", summary, page: view.page, pages: list.data?.total_pages || 1, pageSize: faqPageSize, pageSizes: [faqPageSize], onPage: setPage, onPageSize: () => {} }} />

      <Modal open={editing !== null} title={editing?.faq ? t("faq.editTitle") : t("faq.newTitle")} onClose={() => setEditing(null)} size="2xl" focusFirst={false} testId="faq-dialog">
        {editing && (
          <FaqForm key={editing.faq?.id ?? 0} editing={!!editing.faq} catalogue={faqErrors} onCancel={() => setEditing(null)}
            initial={editing.faq ? { lang: editing.faq.lang, question: editing.faq.question, answer: editing.faq.answer, phrasings: editing.faq.phrasings.join("\n") } : blank}
            onSubmit={async (v) => {
              await save.mutateAsync({ id: editing.faq?.id ?? null, body: v, etag: editing.etag });
              toast("info", t("faq.saved"));
              setEditing(null);
            }} />
        )}
      </Modal>
      <ConfirmDialog open={deleting !== null} danger busy={remove.isPending} title={t("faq.confirmDelete")} confirmLabel={t("faq.delete")} cancelLabel={t("chat.cancel")}
        onConfirm={() => void confirmDelete()} onCancel={() => setDeleting(null)}>
        <p dir="auto" className="font-medium">{deleting?.question}</p>
        <p>{t("faq.confirmDeleteBody")}</p>
      </ConfirmDialog>
    </div>
  );
}

function CannedReplies({ mayManage }: { mayManage: boolean }) {
  const { t, locale } = useI18n();
  const toast = useToast();
  const list = useCanned(true);
  const save = useSaveCanned();
  const remove = useDeleteCanned();
  const [editing, setEditing] = useState<Canned | "new" | null>(null);
  const [deleting, setDeleting] = useState<Canned | null>(null);
  const [error, setError] = useState("");
  const data = useMemo(() => list.data ?? [], [list.data]);

  async function confirmDelete() {
    if (!deleting) return;
    setError("");
    try {
      await remove.mutateAsync(deleting.id);
      toast("info", t("canned.deleted"));
    } catch (e) {
      setError(explainError(t, e, faqErrors));
    } finally {
      setDeleting(null);
    }
  }

  const columns = [
    ccol.accessor("title", { header: () => t("canned.f.title"), cell: (c) => <span dir="auto" className="font-medium">{c.getValue()}</span> }),
    ccol.accessor("text", { header: () => t("canned.f.text"), cell: (c) => <p dir="auto" className="line-clamp-3 min-w-48 max-w-md whitespace-pre-wrap break-words text-slate-700 dark:text-slate-300">{c.getValue()}</p> }),
    ccol.accessor("lang", { header: () => t("faq.f.lang"), cell: (c) => <span lang={c.getValue()}>{t(`content.lang.${c.getValue()}`)}</span> }),
    ...(mayManage ? [ccol.display({
      id: "actions",
      // relative: the hidden header stays inside the scrolling table (an absolute one at the far column would widen the page on a phone)
      header: () => <span className="relative"><span className="sr-only">{t("faq.actions")}</span></span>,
      cell: (c) => (
        <div className="flex gap-1" role="group" aria-label={t("faq.actionsFor", { q: c.row.original.title })}>
          <Button variant="ghost" className={small} onClick={() => { setError(""); setEditing(c.row.original); }} data-action="edit">{t("faq.edit")}</Button>
          <Button variant="ghost" className={`${small} text-red-700 dark:text-red-400`} onClick={() => setDeleting(c.row.original)} data-action="delete">{t("faq.delete")}</Button>
        </div>
      ),
    })] : []),
  ];
  const blank: CannedFormValue = { lang: locale === "en" ? "en" : "fa", title: "", text: "" };

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-600 dark:text-slate-400">{t("canned.intro")}</p>
        {mayManage && <Button onClick={() => { setError(""); setEditing("new"); }} data-testid="canned-new">{t("canned.new")}</Button>}
      </div>
      {error && <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-700 dark:border-red-800 dark:bg-red-950/50 dark:text-red-300">{error}</p>}
      <DataTable label={t("faq.tab.canned")} data={data} columns={columns} getRowId={(c) => String(c.id)} loading={list.isPending} fetching={list.isFetching} testId="canned-table"
        rowAttributes={(c) => ({ "data-canned-id": c.id })}
        empty={<p className="p-8 text-center text-slate-500 dark:text-slate-400">{t("canned.empty")}</p>}
        error={list.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{explainListError(t, list.error, "faq.error")}</p>
            <Button variant="secondary" onClick={() => list.refetch()}>{t("orders.retry")}</Button>
          </div>
        )} />
      <Modal open={editing !== null} title={editing === "new" ? t("canned.newTitle") : t("canned.editTitle")} onClose={() => setEditing(null)} size="lg" focusFirst={false} testId="canned-dialog">
        {editing && (
          <CannedForm key={editing === "new" ? 0 : editing.id} editing={editing !== "new"} catalogue={faqErrors} onCancel={() => setEditing(null)}
            initial={editing === "new" ? blank : { lang: editing.lang, title: editing.title, text: editing.text }}
            onSubmit={async (v) => {
              await save.mutateAsync({ id: editing === "new" ? null : editing.id, body: v });
              toast("info", t("faq.saved"));
              setEditing(null);
            }} />
        )}
      </Modal>
      <ConfirmDialog open={deleting !== null} danger busy={remove.isPending} title={t("canned.confirmDelete")} confirmLabel={t("faq.delete")} cancelLabel={t("chat.cancel")}
        onConfirm={() => void confirmDelete()} onCancel={() => setDeleting(null)}>
        <p dir="auto" className="font-medium">{deleting?.title}</p>
      </ConfirmDialog>
    </div>
  );
}
