"use client";
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import { useMemo, useState } from "react";
import type { BulkOutcome } from "@/lib/bulk";
import { explainError, explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { can, useMe } from "@/lib/me";
import { plural } from "@/lib/plural";
import { useDraft, useUrlState } from "@/lib/urlState";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { BulkReport, DataTable, sortFromParam, sortToParam, useRowSelection } from "@/components/ui/DataTable";
import { Field, Select } from "@/components/ui/Field";
import {
  postArchiveErrors, postFiltersCodec, postPageSizes, postTabs, sortablePostColumns, useBulkArchivePosts, usePosts, type PostFilters, type PostStatus, type PostSummary as Post,
} from "../listApi";

const col = createColumnHelper<Post>();
const rowId = (p: Post) => String(p.id);
const tab = "whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium transition focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 text-slate-600 hover:text-slate-900 aria-pressed:bg-white aria-pressed:text-indigo-700 aria-pressed:shadow-sm dark:text-slate-300 dark:hover:text-white dark:aria-pressed:bg-slate-700 dark:aria-pressed:text-indigo-200";
const chip = "inline-flex items-center rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700 hover:bg-indigo-100 hover:text-indigo-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:bg-slate-700 dark:text-slate-200 dark:hover:bg-indigo-900";

const badgeColours: Record<PostStatus, string> = {
  draft: "bg-slate-100 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
  in_review: "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200",
  scheduled: "bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200",
  published: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  archived: "bg-zinc-200 text-zinc-700 dark:bg-zinc-700 dark:text-zinc-200",
};

/** A post's status in words (colour only repeats it); a status from a newer server shows as sent. */
export function PostStatusBadge({ status }: { status: PostStatus }) {
  const { t } = useI18n();
  const known = status in badgeColours;
  return (
    <span data-post-status={status} dir={known ? undefined : "ltr"}
      className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${known ? badgeColours[status] : badgeColours.draft}`}>
      {known ? t(`posts.status.${status}`) : status}
    </span>
  );
}

/**
 * The blog's posts: a tab per status, filters (language, tag, category,
 * author, search), sort and page in the URL; selected posts are archived
 * together after a confirmation, each refusal reported by name. Live: the
 * "posts" event refetches the page (lib/events).
 */
export function PostsList() {
  const { t, dateTime, locale } = useI18n();
  const url = useUrlState(postFiltersCodec);
  const filters = url.state;
  const update = url.update;
  const me = useMe();
  const posts = usePosts(filters);
  const [q, setQ, flushQ] = useDraft(filters.q, (v) => url.update({ q: v.trim() }));
  const [tag, setTag, flushTag] = useDraft(filters.tag, (v) => url.update({ tag: v.trim() }));
  const [category, setCategory, flushCategory] = useDraft(filters.category, (v) => url.update({ category: v.trim() }));

  const data = useMemo(() => posts.data?.items ?? [], [posts.data]);
  const canEdit = can(me.data, "content.edit");
  // archiving takes a post off the website (or could): content.publish (content.PermissionFor)
  const canArchive = can(me.data, "content.publish");
  const selection = useRowSelection(data, rowId);
  const bulk = useBulkArchivePosts();
  const [confirming, setConfirming] = useState(false);
  const [report, setReport] = useState<BulkOutcome<Post> | null>(null);

  async function archiveSelected() {
    const outcome = await bulk.mutateAsync(selection.selectedRows);
    setConfirming(false);
    selection.clear();
    setReport(outcome);
  }

  // the author chip names the author from a row on screen (all of them are theirs); the URL keeps the id
  const authorName = filters.author ? data.flatMap((p) => p.authors).find((a) => String(a.id) === filters.author)?.name : undefined;

  const columns = useMemo(
    () => [
      col.accessor("title", {
        header: () => t("posts.col.title"),
        cell: (c) => (
          <div className="min-w-48">
            <Link prefetch={false} href={`/posts/edit?id=${c.row.original.id}`} dir="auto" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
              {c.getValue() || t("posts.untitled")}
            </Link>
            <div className="text-xs text-slate-500 dark:text-slate-400" dir="ltr">{c.row.original.slug}</div>
          </div>
        ),
      }),
      col.accessor("status", {
        header: () => t("posts.col.status"),
        cell: (c) => {
          const p = c.row.original;
          const when = p.status === "scheduled" && p.publish_at ? p.publish_at : null;
          return (
            <div className="space-y-1">
              <PostStatusBadge status={c.getValue()} />
              {when && <div className="whitespace-nowrap text-xs text-slate-500 dark:text-slate-400"><time dateTime={when}>{dateTime(when)}</time></div>}
            </div>
          );
        },
      }),
      col.accessor("lang", { header: () => t("posts.col.lang"), cell: (c) => <span lang={c.getValue()}>{t(`content.lang.${c.getValue()}`)}</span> }),
      col.accessor("authors", {
        header: () => t("posts.col.authors"),
        cell: (c) => (
          <div className="flex flex-wrap gap-1">
            {c.getValue().map((a) => (
              <button key={a.id} type="button" className={chip} onClick={() => update({ author: String(a.id) })} aria-label={t("posts.filterByAuthor", { name: a.name })}>
                <bdi>{a.name}</bdi>
              </button>
            ))}
          </div>
        ),
      }),
      col.accessor("tags", {
        header: () => t("posts.col.tags"),
        cell: (c) => (
          <div className="flex max-w-64 flex-wrap gap-1">
            {c.row.original.categories.map((x) => (
              <button key={`c:${x}`} type="button" className={`${chip} font-medium`} onClick={() => update({ category: x })} aria-label={t("posts.filterByCategory", { name: x })}><bdi>{x}</bdi></button>
            ))}
            {c.getValue().map((x) => (
              <button key={`t:${x}`} type="button" className={chip} onClick={() => update({ tag: x })} aria-label={t("posts.filterByTag", { name: x })}>{"#"}<bdi>{x}</bdi></button>
            ))}
          </div>
        ),
      }),
      col.accessor("updated_at", { id: "updated_at", header: () => t("posts.col.updated"), cell: (c) => <time dateTime={c.getValue()} className="whitespace-nowrap">{dateTime(c.getValue())}</time> }),
      col.accessor("published_at", {
        id: "published_at",
        header: () => t("posts.col.published"),
        cell: (c) => (c.getValue() ? <time dateTime={c.getValue()!} className="whitespace-nowrap">{dateTime(c.getValue()!)}</time> : <span aria-hidden className="text-slate-400">{"—"}</span>),
      }),
    ],
    [t, dateTime, update],
  );

  const n = selection.count;
  const total = posts.data?.total ?? 0;

  return (
    <div className="space-y-4">
      <div className="flex min-h-9 flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("posts.title")}</h1>
        {canEdit && (
          <Link prefetch={false} href="/posts/new" data-testid="post-new" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">{t("posts.new")}</Link>
        )}
      </div>
      <Card className="space-y-3">
        <div role="group" aria-label={t("posts.col.status")} data-testid="post-tabs" className="inline-flex max-w-full overflow-x-auto rounded-lg bg-slate-100 p-1 dark:bg-slate-900">
          {postTabs.map((s) => (
            <button key={s} type="button" aria-pressed={filters.tab === s} data-tab={s} className={tab} onClick={() => url.update({ tab: s })}>
              {s === "all" ? t("posts.tab.all") : t(`posts.status.${s}`)}
            </button>
          ))}
        </div>
        <form role="search" onSubmit={(e) => { e.preventDefault(); flushQ(); flushTag(); flushCategory(); }} className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Field label={t("posts.search")} type="search" name="q" dir="auto" value={q} onChange={(e) => setQ(e.target.value.slice(0, 200))} />
          <Select label={t("posts.col.lang")} name="lang" value={filters.lang} onChange={(e) => url.update({ lang: e.target.value as PostFilters["lang"] })}>
            <option value="">{t("content.lang.any")}</option>
            <option value="fa">{t("content.lang.fa")}</option>
            <option value="en">{t("content.lang.en")}</option>
          </Select>
          <Field label={t("posts.tag")} name="tag" dir="auto" autoComplete="off" value={tag} onChange={(e) => setTag(e.target.value.slice(0, 100))} />
          <Field label={t("posts.category")} name="category" dir="auto" autoComplete="off" value={category} onChange={(e) => setCategory(e.target.value.slice(0, 100))} />
        </form>
        <div className="flex flex-wrap items-center gap-2">
          {filters.author && (
            <span className="inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 ps-3 pe-1 text-sm text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200" data-testid="author-filter">
              {t("posts.byAuthor", { name: authorName ?? `#${filters.author}` })}
              <button type="button" onClick={() => url.update({ author: "" })} aria-label={t("posts.clearAuthor")} className="rounded-full px-1.5 hover:bg-indigo-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-indigo-900">
                <span aria-hidden>{"×"}</span>
              </button>
            </span>
          )}
          {url.isFiltered({ pageSize: filters.pageSize, sort: filters.sort, tab: filters.tab }) && (
            <Button variant="ghost" onClick={() => url.reset({ tab: filters.tab })}>{t("orders.clear")}</Button>
          )}
        </div>
      </Card>

      {report && (
        <BulkReport outcome={report} name={(p) => p.title || `#${p.id}`} explain={(e) => explainError(t, e, postArchiveErrors)} onDismiss={() => setReport(null)} />
      )}

      <DataTable
        label={t("posts.list")}
        data={data}
        columns={columns}
        getRowId={rowId}
        testId="posts-table"
        loading={posts.isPending}
        fetching={posts.isFetching}
        rowAttributes={(p) => ({ "data-post-id": p.id, "data-status": p.status })}
        sorting={{ columns: sortablePostColumns, sort: sortFromParam(filters.sort), onSort: (s) => url.update({ sort: sortToParam(s) as PostFilters["sort"] }) }}
        selection={canArchive ? {
          rows: selection,
          rowName: (p) => p.title || `#${p.id}`,
          actions: <Button variant="secondary" className="px-3 py-1.5" onClick={() => setConfirming(true)} data-testid="bulk-archive">{t("posts.bulk.archive")}</Button>,
        } : undefined}
        empty={<p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="posts-empty">{url.isFiltered({ pageSize: filters.pageSize, sort: filters.sort }) ? t("posts.emptyFiltered") : t("posts.empty")}</p>}
        error={posts.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{explainListError(t, posts.error, "posts.error")}</p>
            <Button variant="secondary" onClick={() => posts.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
        paging={posts.isError ? undefined : {
          mode: "page", summary: plural(locale, total, { one: t("posts.totalCount.one"), other: t("posts.totalCount.other") }), page: filters.page, pages: posts.data?.total_pages ?? filters.page, pageSize: filters.pageSize, pageSizes: postPageSizes,
          total, onPage: url.setPage, onPageSize: (pageSize) => url.update({ pageSize }),
        }}
      />

      <ConfirmDialog open={confirming} title={plural(locale, n, { one: t("posts.bulk.confirmTitle.one"), other: t("posts.bulk.confirmTitle.other") })}
        confirmLabel={t("posts.bulk.archive")} cancelLabel={t("posts.bulk.cancel")} busy={bulk.isPending} onConfirm={archiveSelected} onCancel={() => setConfirming(false)}>
        <p>{t("posts.bulk.confirmBody")}</p>
        <ul className="list-disc ps-5">
          {selection.selectedRows.slice(0, 10).map((p) => <li key={p.id} dir="auto">{p.title || `#${p.id}`}</li>)}
          {n > 10 && <li>{t("posts.bulk.andMore", { n: n - 10 })}</li>}
        </ul>
      </ConfirmDialog>
    </div>
  );
}
