"use client";
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import { useMemo, useRef, useState } from "react";
import { can, useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { explainError, explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { completeDay, useDraft, useUrlState } from "@/lib/urlState";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { BulkBar, DataTable, SelectBox, TablePager, useRowSelection, type TablePaging } from "@/components/ui/DataTable";
import { Field, Select } from "@/components/ui/Field";
import { DatePicker } from "@/components/ui/DatePicker";
import { maxBulkDelete, mediaFiltersCodec, mediaKinds, mediaPageSizes, mediaStatuses, useBulkDeleteMedia, useMediaList, type Media, type MediaFilters } from "../api";
import { humanSize } from "../format";
import { MediaBadges, ReasonLine } from "./MediaStatusBadge";
import { Thumb } from "./Thumb";
import { UploadPanel } from "./UploadPanel";

const col = createColumnHelper<Media>();
const rowId = (m: Media) => String(m.id);

/** The item's title in the current language, falling back to the other one. */
export const titleOf = (m: Media, locale: "fa" | "en") => (locale === "fa" ? m.title.fa || m.title.en : m.title.en || m.title.fa);

/** The media library: grid or list, filters, page and view in the URL; uploads and bulk delete by permission. */
export function MediaLibrary() {
  const { t, dateTime, date, locale } = useI18n();
  const url = useUrlState(mediaFiltersCodec);
  const filters = url.state;
  const me = useMe();
  const list = useMediaList(filters);
  const bulk = useBulkDeleteMedia();
  const toast = useToast();
  const canDelete = can(me.data, "media.delete");
  const canUpload = can(me.data, "media.upload");
  const [q, setQ, flushQ] = useDraft(filters.q, (v) => url.update({ q: v }));
  const [from, setFrom] = useDraft(filters.from, (v) => url.update({ from: v }), { delay: 0, complete: completeDay });
  const [to, setTo] = useDraft(filters.to, (v) => url.update({ to: v }), { delay: 0, complete: completeDay });
  const [confirming, setConfirming] = useState(false);

  const data = useMemo(() => list.data?.items ?? [], [list.data]);
  // one selection for both views: only what is on screen can be selected
  const selection = useRowSelection(data, rowId);
  const selected = selection.selectedRows.map((m) => m.id);

  async function deleteSelected() {
    try {
      const n = await bulk.mutateAsync(selected.slice(0, maxBulkDelete));
      toast("info", t("media.bulk.deleted", { n }));
      selection.clear();
    } catch (e) {
      toast("error", explainError(t, e, { otherwise: "media.deleteFailed" }));
    } finally {
      setConfirming(false);
    }
  }

  const columns = useMemo(
    () => [
      col.display({
        id: "preview",
        header: () => <span className="sr-only">{t("media.preview")}</span>,
        cell: (c) => <span className="block size-10 overflow-hidden rounded-md border border-slate-200 bg-slate-100 dark:border-slate-700 dark:bg-slate-900"><Thumb m={c.row.original} /></span>,
      }),
      col.accessor("filename", {
        header: () => t("media.name"),
        cell: (c) => {
          const m = c.row.original;
          const title = titleOf(m, locale);
          return (
            <div className="min-w-0 max-w-xs">
              <Link prefetch={false} href={`/media/detail?id=${m.id}`} className="block truncate font-medium text-indigo-600 hover:underline dark:text-indigo-400" title={m.filename}><bdi>{m.filename}</bdi></Link>
              {title && <div className="truncate text-xs text-slate-500 dark:text-slate-400"><bdi>{title}</bdi></div>}
            </div>
          );
        },
      }),
      col.accessor("kind", { header: () => t("media.kind"), cell: (c) => <span className="whitespace-nowrap">{t(`media.kind.${(mediaKinds as readonly string[]).includes(c.getValue()) ? c.getValue() as "image" : "document"}`)}</span> }),
      col.accessor("status", {
        header: () => t("media.status"),
        cell: (c) => (
          <div className="space-y-1">
            <MediaBadges status={c.getValue()} scan={c.row.original.scan} />
            <ReasonLine m={c.row.original} />
          </div>
        ),
      }),
      col.accessor("size", { header: () => t("media.size"), cell: (c) => <span className="whitespace-nowrap tabular-nums">{humanSize(c.getValue(), locale)}</span> }),
      col.accessor("owner", { header: () => t("media.owner"), cell: (c) => <span dir="ltr" className="whitespace-nowrap text-xs">{c.getValue().email}</span> }),
      col.accessor("created_at", { header: () => t("media.createdAt"), cell: (c) => <time dateTime={c.getValue()} title={dateTime(c.getValue())} className="whitespace-nowrap">{date(c.getValue())}</time> }),
    ],
    [t, dateTime, date, locale],
  );

  const total = list.data?.total ?? 0;
  const err = list.error instanceof ApiError ? list.error : null;
  const hasFilters = url.isFiltered({ pageSize: 24, view: "grid" });
  const errorText = err?.fields.to ? t("media.badRange") : explainListError(t, list.error, "media.error");
  const grid = useRef<HTMLElement>(null);
  const paging: TablePaging | undefined = list.isError ? undefined : {
    mode: "page", summary: t("media.totalCount", { total }), page: filters.page, pages: list.data?.total_pages ?? filters.page, pageSize: filters.pageSize, pageSizes: mediaPageSizes,
    onPage: url.setPage, onPageSize: (pageSize) => url.update({ pageSize }),
  };
  const deleteButton = <Button variant="danger" className="px-3 py-1.5" onClick={() => setConfirming(true)} data-testid="bulk-delete">{t("media.bulk.delete", { n: selection.count })}</Button>;
  const viewButton = (v: MediaFilters["view"]) =>
    `px-3 py-1.5 text-sm font-medium first:rounded-s-md last:rounded-e-md focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${filters.view === v ? "bg-indigo-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700"}`;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("media.title")}</h1>
        <div role="group" aria-label={t("media.view")} className="inline-flex rounded-md border border-slate-300 shadow-sm dark:border-slate-600">
          <button type="button" className={viewButton("grid")} aria-pressed={filters.view === "grid"} onClick={() => url.update({ view: "grid" }, { keepPage: true })} data-view="grid">{t("media.view.grid")}</button>
          <button type="button" className={viewButton("list")} aria-pressed={filters.view === "list"} onClick={() => url.update({ view: "list" }, { keepPage: true })} data-view="list">{t("media.view.list")}</button>
        </div>
      </div>

      {canUpload && <UploadPanel canDelete={canDelete} />}
      {/* the upload panel's room (its height when empty) while the user's permissions load: nothing jumps when it appears */}
      {me.isPending && <Skeleton className="h-[200px] w-full rounded-xl sm:h-[124px]" />}

      <Card>
        <form role="search" onSubmit={(e) => { e.preventDefault(); flushQ(); }} className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
          <Field label={t("media.search")} className="sm:col-span-2 lg:col-span-1" value={q} onChange={(e) => setQ(e.target.value.slice(0, 200))} type="search" name="q" />
          <Select label={t("media.kind")} name="kind" value={filters.kind} onChange={(e) => url.update({ kind: e.target.value as MediaFilters["kind"] })}>
            <option value="">{t("media.allKinds")}</option>
            {mediaKinds.map((k) => <option key={k} value={k}>{t(`media.kind.${k}`)}</option>)}
          </Select>
          <Select label={t("media.status")} name="status" value={filters.status} onChange={(e) => url.update({ status: e.target.value as MediaFilters["status"] })}>
            <option value="">{t("media.allStatuses")}</option>
            {mediaStatuses.map((s) => <option key={s} value={s}>{t(`media.status.${s}`)}</option>)}
          </Select>
          <DatePicker label={t("media.from")} name="from" value={from} max={filters.to || undefined} onChange={setFrom} />
          <DatePicker label={t("media.to")} name="to" value={to} min={filters.from || undefined} onChange={setTo} />
        </form>
        {hasFilters && <Button variant="ghost" className="mt-2" onClick={() => url.reset({ view: filters.view })}>{t("media.clear")}</Button>}
      </Card>

      {canDelete && filters.view === "grid" && data.length > 0 && (
        <BulkBar count={selection.count} onClear={selection.clear}
          lead={(
            <label className="inline-flex items-center gap-2">
              <SelectBox checked={selection.allSelected} indeterminate={selection.count > 0} onChange={selection.toggleAll} label={t("table.selectAll")} data-testid="select-page" />
              {t("media.selectPage")}
            </label>
          )}>
          {deleteButton}
        </BulkBar>
      )}

      {filters.view === "grid" ? (
        <section ref={grid} tabIndex={-1} aria-label={t("media.title")} aria-busy={list.isFetching} className="space-y-4 focus:outline-none">
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 md:grid-cols-4 xl:grid-cols-5" data-testid="media-grid">
            {list.isPending && Array.from({ length: 10 }, (_, i) => <li key={i}><Skeleton className="aspect-square w-full rounded-xl" /></li>)}
            {data.map((m) => {
              const isPicked = selection.isSelected(m);
              const title = titleOf(m, locale);
              return (
                <li key={m.id} data-media-id={m.id} data-status={m.status}
                  className={`group relative overflow-hidden rounded-xl border bg-white shadow-sm transition dark:bg-slate-800 ${isPicked ? "border-indigo-500 ring-2 ring-indigo-500" : "border-slate-200 dark:border-slate-700"}`}>
                  <Link prefetch={false} href={`/media/detail?id=${m.id}`} className="block focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500">
                    <div className="aspect-square w-full overflow-hidden bg-slate-100 dark:bg-slate-900">
                      <Thumb m={m} className="transition group-hover:scale-[1.02]" />
                    </div>
                    <div className="space-y-1.5 p-2.5">
                      <div className="truncate text-sm font-medium" title={m.filename}><bdi>{title || m.filename}</bdi></div>
                      <MediaBadges status={m.status} scan={m.scan} />
                      <ReasonLine m={m} clamp />
                      <div className="flex flex-wrap justify-between gap-x-2 text-xs text-slate-500 dark:text-slate-400">
                        <span className="tabular-nums">{humanSize(m.size, locale)}</span>
                        <time dateTime={m.created_at} title={dateTime(m.created_at)}>{date(m.created_at)}</time>
                      </div>
                    </div>
                  </Link>
                  {canDelete && (
                    <label className={`absolute start-2 top-2 flex size-7 items-center justify-center rounded-md bg-white/90 shadow transition dark:bg-slate-900/90 ${isPicked ? "opacity-100" : "opacity-100 sm:opacity-0 sm:group-hover:opacity-100 sm:focus-within:opacity-100"} ${selection.count ? "sm:opacity-100" : ""}`}>
                      <SelectBox checked={isPicked} onChange={() => selection.toggle(m)} label={t("table.selectRow", { name: m.filename })} data-select={m.id} />
                    </label>
                  )}
                </li>
              );
            })}
          </ul>
          {list.isSuccess && data.length === 0 && <Card><p className="p-6 text-center text-slate-500 dark:text-slate-400" data-testid="media-empty">{t(hasFilters ? "media.emptyFiltered" : "media.empty")}</p></Card>}
          {paging && <TablePager paging={paging} loading={list.isPending} data={data} fallback={grid} />}
        </section>
      ) : (
        <DataTable
          label={t("media.list")}
          testId="media-table"
          data={data}
          columns={columns}
          getRowId={rowId}
          loading={list.isPending}
          fetching={list.isFetching}
          cellClassName="px-3 py-2.5 align-middle"
          rowAttributes={(m) => ({ "data-media-id": m.id, "data-status": m.status })}
          selection={canDelete ? { rows: selection, rowName: (m) => m.filename, actions: deleteButton } : undefined}
          empty={<p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="media-empty">{t(hasFilters ? "media.emptyFiltered" : "media.empty")}</p>}
          paging={paging}
        />
      )}

      {list.isError && (
        <Card role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
          <p className="text-red-600 dark:text-red-400">{errorText}</p>
          <Button variant="secondary" onClick={() => list.refetch()}>{t("orders.retry")}</Button>
        </Card>
      )}

      <ConfirmDialog open={confirming} title={t("media.bulk.confirmTitle", { n: selected.length })} confirmLabel={t("media.bulk.confirm")} cancelLabel={t("media.keep")}
        danger busy={bulk.isPending} onConfirm={deleteSelected} onCancel={() => setConfirming(false)}>
        <p>{t("media.bulk.confirmBody")}</p>
        {selected.length > maxBulkDelete && <p>{t("media.bulk.tooMany", { max: maxBulkDelete })}</p>}
      </ConfirmDialog>
    </div>
  );
}
