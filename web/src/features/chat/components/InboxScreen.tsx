"use client";
import { createColumnHelper } from "@tanstack/react-table";
import { useEffect, useMemo, useRef } from "react";
import { explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { plural } from "@/lib/plural";
import { useUrlState } from "@/lib/urlState";
import { Button } from "@/components/ui/Button";
import { DataTable } from "@/components/ui/DataTable";
import { inboxPageSize, useConversations, type Conversation } from "../api";
import { inboxCodec, inboxTabs, type ChatState } from "../logic";
import { ConversationPane } from "./ConversationPane";
import { StateBadge } from "./StateBadge";

const col = createColumnHelper<Conversation>();
const tab = "whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium transition focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 text-slate-600 hover:text-slate-900 aria-pressed:bg-white aria-pressed:text-indigo-700 aria-pressed:shadow-sm dark:text-slate-300 dark:hover:text-white dark:aria-pressed:bg-slate-700 dark:aria-pressed:text-indigo-200";

/**
 * The website chat's inbox (chatbot.view): conversations by state, those
 * waiting for a person first, with the open one's transcript beside them
 * (below on a phone). The tab, page and open conversation are in the URL.
 * Live: every "chat" event reads the list, the transcript and the badge again.
 */
export function InboxScreen() {
  const { t, dateTime, number, locale } = useI18n();
  const url = useUrlState(inboxCodec);
  const view = url.state;
  const list = useConversations(view.state, view.page);
  const data = useMemo(() => list.data?.items ?? [], [list.data]);
  const pane = useRef<HTMLDivElement>(null);
  const open = (id: number) => url.update({ open: id }, { keepPage: true });
  // on a phone the pane is below the list: bring it into view when a conversation is opened there
  const opened = useRef(view.open);
  useEffect(() => {
    const top = pane.current?.getBoundingClientRect().top ?? 0;
    if (view.open && view.open !== opened.current && top > window.innerHeight / 2) pane.current?.scrollIntoView?.({ block: "start" });
    opened.current = view.open;
  }, [view.open]);

  const columns = [
    col.accessor("last_message", {
      header: () => t("chat.col.conversation"),
      cell: (c) => {
        const v = c.row.original;
        return (
          <button type="button" onClick={() => open(v.id)} data-open={v.id} aria-current={view.open === v.id ? "true" : undefined}
            className="block w-full min-w-40 rounded text-start focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
            <span className="flex items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
              <span>{t("chat.number", { id: number(v.id) })}</span>
              <span lang={v.lang}>{t(`content.lang.${v.lang}`)}</span>
            </span>
            <span dir="auto" className={`line-clamp-2 break-words ${v.unread > 0 ? "font-semibold" : ""} ${view.open === v.id ? "text-indigo-700 dark:text-indigo-300" : ""}`}>{v.last_message || t("chat.noMessages")}</span>
          </button>
        );
      },
    }),
    col.accessor("state", {
      header: () => t("chat.col.state"),
      cell: (c) => (
        <div className="space-y-1">
          <StateBadge state={c.getValue()} />
          {c.row.original.assignee && <div dir="ltr" className="max-w-40 truncate text-xs text-slate-500 dark:text-slate-400">{c.row.original.assignee.email}</div>}
        </div>
      ),
    }),
    col.accessor("unread", {
      header: () => t("chat.col.unread"),
      cell: (c) => (c.getValue() > 0
        ? <span className="inline-flex min-w-6 justify-center rounded-full bg-red-600 px-1.5 text-xs font-semibold text-white" data-unread={c.getValue()}>{number(c.getValue())}</span>
        : <span aria-hidden className="text-slate-400">{"—"}</span>),
    }),
    col.accessor("last_message_at", { header: () => t("chat.col.when"), cell: (c) => <time dateTime={c.getValue()} className="whitespace-nowrap text-xs">{dateTime(c.getValue())}</time> }),
  ];

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("chat.title")}</h1>
      <div role="group" aria-label={t("chat.col.state")} data-testid="chat-tabs" className="inline-flex max-w-full overflow-x-auto rounded-lg bg-slate-100 p-1 dark:bg-slate-900">
        {inboxTabs.map((s: ChatState) => (
          <button key={s} type="button" aria-pressed={view.state === s} data-tab={s} className={tab} onClick={() => url.update({ state: s })}>{t(`chat.tab.${s}`)}</button>
        ))}
      </div>
      <div className="grid grid-cols-1 items-start gap-4 lg:grid-cols-[minmax(0,5fr)_minmax(0,6fr)]">
        <DataTable label={t("chat.title")} data={data} columns={columns} getRowId={(v) => String(v.id)} loading={list.isPending} fetching={list.isFetching}
          testId="chat-table" cellClassName="px-3 py-2 align-top" skeletonRows={5}
          rowAttributes={(v) => ({ "data-conversation-id": v.id, "data-state": v.state })}
          empty={<p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="chat-empty">{t(`chat.empty.${view.state}`)}</p>}
          error={list.isError && (
            <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
              <p className="text-red-600 dark:text-red-400">{explainListError(t, list.error, "chat.error")}</p>
              <Button variant="secondary" onClick={() => list.refetch()}>{t("orders.retry")}</Button>
            </div>
          )}
          paging={list.isError ? undefined : {
            mode: "page", page: view.page, pages: list.data?.total_pages || 1, pageSize: inboxPageSize, pageSizes: [inboxPageSize],
            summary: plural(locale, list.data?.total ?? 0, { one: t("chat.total.one", { n: number(list.data?.total ?? 0) }), other: t("chat.total.other", { n: number(list.data?.total ?? 0) }) }),
            onPage: url.setPage, onPageSize: () => {},
          }} />
        <div ref={pane} className="scroll-mt-4">
          {view.open ? <ConversationPane key={view.open} id={view.open} onClose={() => url.update({ open: 0 }, { keepPage: true })} />
            : <p className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-sm text-slate-500 dark:border-slate-600 dark:text-slate-400" data-testid="chat-pick">{t("chat.pick")}</p>}
        </div>
      </div>
    </div>
  );
}
