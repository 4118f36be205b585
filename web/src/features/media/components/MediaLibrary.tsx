"use client";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { can, useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Pagination } from "@/components/ui/Pagination";
import { Card, Skeleton, SkeletonRows } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Field, Select } from "@/components/ui/Field";
import {
  maxBulkDelete, mediaFiltersFromSearch, mediaFiltersToSearch, mediaKinds, mediaPageSizes, mediaStatuses, useBulkDeleteMedia, useMediaList,
  type Media, type MediaFilters,
} from "../api";
import { humanSize } from "../format";
import { MediaBadges, ReasonLine } from "./MediaStatusBadge";
import { Thumb } from "./Thumb";
import { UploadPanel } from "./UploadPanel";

const col = createColumnHelper<Media>();
const checkbox = "size-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900";

/** The item's title in the current language, falling back to the other one. */
export const titleOf = (m: Media, locale: "fa" | "en") => (locale === "fa" ? m.title.fa || m.title.en : m.title.en || m.title.fa);

/** The media library: grid or list, filters, page and view in the URL; uploads and bulk delete by permission. */
export function MediaLibrary() {
  const { t, dateTime, date, locale } = useI18n();
  const router = useRouter();
  const pathname = usePathname();
  const sp = useSearchParams();
  const filters = useMemo(() => mediaFiltersFromSearch(new URLSearchParams(sp.toString())), [sp]);
  const me = useMe();
  const list = useMediaList(filters);
  const bulk = useBulkDeleteMedia();
  const toast = useToast();
  const canDelete = can(me.data, "media.delete");
  const canUpload = can(me.data, "media.upload");
  const [q, setQ] = useState(filters.q);
  useEffect(() => setQ(filters.q), [filters.q]);
  const [picked, setPicked] = useState<Set<number>>(() => new Set());
  const [confirming, setConfirming] = useState(false);

  const go = (patch: Partial<MediaFilters>, resetPage = true) => {
    const next = { ...filters, ...patch, ...(resetPage && !("page" in patch) && !("view" in patch) ? { page: 1 } : {}) };
    const qs = mediaFiltersToSearch(next);
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };
  // typing in the search box updates the URL after a short pause
  useEffect(() => {
    if (q === filters.q) return;
    const h = setTimeout(() => go({ q }), 350);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);

  const data = useMemo(() => list.data?.items ?? [], [list.data]);
  // only what is on screen can be selected: items gone (deleted, filtered out) drop out
  const selected = useMemo(() => data.filter((m) => picked.has(m.id)).map((m) => m.id), [data, picked]);
  const allPicked = data.length > 0 && selected.length === data.length;
  const toggle = (id: number) => setPicked((s) => {
    const n = new Set(s);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });
  const toggleAll = () => setPicked(allPicked ? new Set() : new Set(data.map((m) => m.id)));

  async function deleteSelected() {
    try {
      const n = await bulk.mutateAsync(selected.slice(0, maxBulkDelete));
      toast("info", t("media.bulk.deleted", { n }));
      setPicked(new Set());
    } catch (e) {
      toast("error", e instanceof ApiError && e.status === 403 ? t("error.forbidden") : t("media.deleteFailed"));
    } finally {
      setConfirming(false);
    }
  }

  const columns = useMemo(
    () => [
      ...(canDelete
        ? [col.display({
          id: "select",
          header: () => <input type="checkbox" className={checkbox} checked={allPicked} onChange={toggleAll} aria-label={t("media.selectAll")} data-testid="select-all" />,
          cell: (c) => <input type="checkbox" className={checkbox} checked={picked.has(c.row.original.id)} onChange={() => toggle(c.row.original.id)} aria-label={t("media.select", { name: c.row.original.filename })} data-select={c.row.original.id} />,
        })]
        : []),
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
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, dateTime, date, locale, canDelete, picked, allPicked, data],
  );
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), manualPagination: true, getRowId: (r) => String(r.id) });

  const total = list.data?.total ?? 0;
  const pages = list.data?.total_pages ?? 0;
  const err = list.error instanceof ApiError ? list.error : null;
  const hasFilters = mediaFiltersToSearch({ ...filters, page: 1, pageSize: 24, view: "grid" }) !== "";
  const errorText = !err ? t("media.error")
    : err.status === 403 ? t("error.forbidden")
      : err.fields.to ? t("media.badRange")
        : err.status === 422 || err.code === "INVALID_JSON" ? err.message
          : err.code === "INTERNAL" ? t("error.generic", { id: err.requestId }) : t("media.error");
  const viewButton = (v: MediaFilters["view"]) =>
    `px-3 py-1.5 text-sm font-medium first:rounded-s-md last:rounded-e-md focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${filters.view === v ? "bg-indigo-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700"}`;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("media.title")}</h1>
        <div role="group" aria-label={t("media.view")} className="inline-flex rounded-md border border-slate-300 shadow-sm dark:border-slate-600">
          <button type="button" className={viewButton("grid")} aria-pressed={filters.view === "grid"} onClick={() => go({ view: "grid" })} data-view="grid">{t("media.view.grid")}</button>
          <button type="button" className={viewButton("list")} aria-pressed={filters.view === "list"} onClick={() => go({ view: "list" })} data-view="list">{t("media.view.list")}</button>
        </div>
      </div>

      {canUpload && <UploadPanel canDelete={canDelete} />}

      <Card>
        <form role="search" onSubmit={(e) => { e.preventDefault(); go({ q }); }} className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
          <Field label={t("media.search")} className="sm:col-span-2 lg:col-span-1" value={q} onChange={(e) => setQ(e.target.value.slice(0, 200))} type="search" name="q" />
          <Select label={t("media.kind")} name="kind" value={filters.kind} onChange={(e) => go({ kind: e.target.value as MediaFilters["kind"] })}>
            <option value="">{t("media.allKinds")}</option>
            {mediaKinds.map((k) => <option key={k} value={k}>{t(`media.kind.${k}`)}</option>)}
          </Select>
          <Select label={t("media.status")} name="status" value={filters.status} onChange={(e) => go({ status: e.target.value as MediaFilters["status"] })}>
            <option value="">{t("media.allStatuses")}</option>
            {mediaStatuses.map((s) => <option key={s} value={s}>{t(`media.status.${s}`)}</option>)}
          </Select>
          <Field label={t("media.from")} type="date" name="from" value={filters.from} max={filters.to || undefined} onChange={(e) => go({ from: e.target.value })} />
          <Field label={t("media.to")} type="date" name="to" value={filters.to} min={filters.from || undefined} onChange={(e) => go({ to: e.target.value })} />
        </form>
        {hasFilters && <Button variant="ghost" className="mt-2" onClick={() => router.replace(filters.view === "list" ? `${pathname}?view=list` : pathname)}>{t("media.clear")}</Button>}
      </Card>

      {canDelete && data.length > 0 && (filters.view === "grid" || selected.length > 0) && (
        <div className="flex min-h-10 flex-wrap items-center gap-3 text-sm" data-testid="bulk-bar">
          {filters.view === "grid" && (
            <label className="inline-flex items-center gap-2">
              <input type="checkbox" className={checkbox} checked={allPicked} onChange={toggleAll} data-testid="select-page" />
              {t("media.selectPage")}
            </label>
          )}
          {selected.length > 0 && (
            <>
              <span className="text-slate-600 dark:text-slate-300" data-testid="selected-count">{t("media.selectedCount", { n: selected.length })}</span>
              <Button variant="ghost" className="px-2 py-1" onClick={() => setPicked(new Set())}>{t("media.clearSelection")}</Button>
              <Button variant="danger" className="px-3 py-1.5" onClick={() => setConfirming(true)} data-testid="bulk-delete">{t("media.bulk.delete", { n: selected.length })}</Button>
            </>
          )}
        </div>
      )}

      {filters.view === "grid" ? (
        <section aria-label={t("media.title")} aria-busy={list.isFetching}>
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 md:grid-cols-4 xl:grid-cols-5" data-testid="media-grid">
            {list.isPending && Array.from({ length: 10 }, (_, i) => <li key={i}><Skeleton className="aspect-square w-full rounded-xl" /></li>)}
            {data.map((m) => {
              const isPicked = picked.has(m.id);
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
                    <label className={`absolute start-2 top-2 flex size-7 items-center justify-center rounded-md bg-white/90 shadow transition dark:bg-slate-900/90 ${isPicked ? "opacity-100" : "opacity-100 sm:opacity-0 sm:group-hover:opacity-100 sm:focus-within:opacity-100"} ${selected.length ? "sm:opacity-100" : ""}`}>
                      <input type="checkbox" className={checkbox} checked={isPicked} onChange={() => toggle(m.id)} aria-label={t("media.select", { name: m.filename })} data-select={m.id} />
                    </label>
                  )}
                </li>
              );
            })}
          </ul>
          {list.isSuccess && data.length === 0 && <Card><p className="p-6 text-center text-slate-500 dark:text-slate-400" data-testid="media-empty">{t(hasFilters ? "media.emptyFiltered" : "media.empty")}</p></Card>}
        </section>
      ) : (
        <Card className="overflow-x-auto p-0">
          <table className="w-full text-sm" aria-busy={list.isFetching} data-testid="media-table">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase text-slate-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-400">
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => <th key={h.id} scope="col" className="whitespace-nowrap px-3 py-3 text-start font-medium">{flexRender(h.column.columnDef.header, h.getContext())}</th>)}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-700">
              {list.isPending && <SkeletonRows rows={6} columns={columns.length} cellClassName="px-3 py-3" />}
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} data-media-id={row.original.id} data-status={row.original.status}
                  className={picked.has(row.original.id) ? "bg-indigo-50/60 dark:bg-indigo-950/40" : "hover:bg-slate-50 dark:hover:bg-slate-700/40"}>
                  {row.getVisibleCells().map((cell) => <td key={cell.id} className="px-3 py-2.5 align-middle">{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
          {list.isSuccess && data.length === 0 && <p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="media-empty">{t(hasFilters ? "media.emptyFiltered" : "media.empty")}</p>}
        </Card>
      )}

      {list.isError && (
        <Card role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
          <p className="text-red-600 dark:text-red-400">{errorText}</p>
          <Button variant="secondary" onClick={() => list.refetch()}>{t("orders.retry")}</Button>
        </Card>
      )}

      {list.isSuccess && (
        <Pagination summary={t("media.totalCount", { total })} page={filters.page} pages={pages} pageSize={filters.pageSize} pageSizes={mediaPageSizes}
          onPage={(page) => go({ page }, false)} onPageSize={(pageSize) => go({ pageSize })} />
      )}

      <ConfirmDialog open={confirming} title={t("media.bulk.confirmTitle", { n: selected.length })} confirmLabel={t("media.bulk.confirm")} cancelLabel={t("media.keep")}
        danger busy={bulk.isPending} onConfirm={deleteSelected} onCancel={() => setConfirming(false)}>
        <p>{t("media.bulk.confirmBody")}</p>
        {selected.length > maxBulkDelete && <p>{t("media.bulk.tooMany", { max: maxBulkDelete })}</p>}
      </ConfirmDialog>
    </div>
  );
}
