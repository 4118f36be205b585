"use client";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type RowSelectionState } from "@tanstack/react-table";
import { Fragment, useEffect, useMemo, useRef, useState, type ReactNode, type RefObject } from "react";
import type { BulkOutcome } from "@/lib/bulk";
import { useI18n } from "@/lib/i18n";
import { Button } from "./Button";
import { SkeletonRows } from "./Card";

/** The server's sort of a list: one column, ascending or descending. */
export type SortState = { id: string; desc: boolean };

/** A sort as list APIs take it: "-total" is total descending. */
export const sortFromParam = (param: string): SortState => (param.startsWith("-") ? { id: param.slice(1), desc: true } : { id: param, desc: false });
export const sortToParam = (s: SortState): string => (s.desc ? "-" : "") + s.id;

/**
 * Which rows of the page on screen are selected, by row id. Only rows on
 * screen count: a row that left the page (deleted, filtered out, another
 * page) is no longer selected. The grid of the media library shares it
 * with its table view.
 */
export function useRowSelection<T>(rows: T[], getRowId: (row: T) => string) {
  const [picked, setPicked] = useState<RowSelectionState>({});
  const selectedRows = useMemo(() => rows.filter((r) => picked[getRowId(r)]), [rows, picked, getRowId]);
  const state = useMemo(() => Object.fromEntries(selectedRows.map((r) => [getRowId(r), true])), [selectedRows, getRowId]);
  const allSelected = rows.length > 0 && selectedRows.length === rows.length;
  return {
    /** tanstack's selection state, of rows on screen only */
    state,
    setState: setPicked,
    selectedRows,
    count: selectedRows.length,
    allSelected,
    isSelected: (row: T) => !!state[getRowId(row)],
    toggle: (row: T) => setPicked((s) => ({ ...s, [getRowId(row)]: !s[getRowId(row)] })),
    toggleAll: () => setPicked(allSelected ? {} : Object.fromEntries(rows.map((r) => [getRowId(r), true]))),
    clear: () => setPicked({}),
  };
}
export type RowSelection<T> = ReturnType<typeof useRowSelection<T>>;

const checkbox = "size-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900";

/** A checkbox that shows "some" (indeterminate) as well as all or none. */
export function SelectBox({ checked, indeterminate = false, onChange, label, ...data }: { checked: boolean; indeterminate?: boolean; onChange: () => void; label: string } & Record<`data-${string}`, string | number>) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate && !checked;
  }, [indeterminate, checked]);
  return <input ref={ref} type="checkbox" className={checkbox} checked={checked} onChange={onChange} aria-label={label} {...data} />;
}

/** The bar over a list while rows are selected: the count, clearing, and the list's bulk actions. */
export function BulkBar({ count, onClear, children, lead }: { count: number; onClear: () => void; children?: ReactNode; lead?: ReactNode }) {
  const { t } = useI18n();
  if (count === 0 && !lead) return null;
  return (
    <div role="toolbar" aria-label={t("table.bulkActions")} className="flex min-h-10 flex-wrap items-center gap-3 text-sm" data-testid="bulk-bar">
      {lead}
      {count > 0 && (
        <>
          <span className="text-slate-600 dark:text-slate-300" data-testid="selected-count" aria-live="polite">{t("table.selectedCount", { n: count })}</span>
          <Button variant="ghost" className="px-2 py-1" onClick={onClear}>{t("table.clearSelection")}</Button>
          {children}
        </>
      )}
    </div>
  );
}

/**
 * What a bulk action did, shown until dismissed: how many rows changed and,
 * for each refused one, its name and why. It takes focus when it appears,
 * since the bar whose button started the action is gone.
 */
export function BulkReport<T>({ outcome, name, explain, onDismiss }: { outcome: BulkOutcome<T>; name: (row: T) => string; explain: (error: unknown) => string; onDismiss: () => void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), [outcome]);
  const total = outcome.done.length + outcome.failed.length;
  const bad = outcome.failed.length > 0;
  return (
    <div ref={ref} tabIndex={-1} role={bad ? "alert" : "status"} data-testid="bulk-report"
      className={`flex items-start justify-between gap-3 rounded-xl border p-4 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${bad ? "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100" : "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950/50 dark:text-emerald-100"}`}>
      <div className="min-w-0 space-y-1">
        <p className="font-medium" data-testid="bulk-done">{t("table.bulkDone", { done: outcome.done.length, total })}</p>
        {bad && (
          <>
            <p>{t("table.bulkFailed", { n: outcome.failed.length })}</p>
            <ul className="list-disc space-y-0.5 ps-5">
              {outcome.failed.map((f, i) => <li key={i} data-testid="bulk-failure"><bdi className="font-medium">{name(f.row)}</bdi>{": "}{explain(f.error)}</li>)}
            </ul>
          </>
        )}
      </div>
      <Button variant="ghost" className="shrink-0 px-2 py-1" onClick={onDismiss}>{t("table.dismiss")}</Button>
    </div>
  );
}

/** Page mode (numbered pages with a total) or cursor mode (next page by the server's cursor). */
export type TablePaging =
  | { mode: "page"; page: number; pages: number; pageSize: number; pageSizes?: readonly number[]; summary: string; total?: number; testId?: string; onPage: (page: number) => void; onPageSize: (size: number) => void }
  | { mode: "cursor"; hasPrev: boolean; hasNext: boolean; pageSize: number; pageSizes?: readonly number[]; onPrev: () => void; onNext: () => void; onPageSize: (size: number) => void };

type Meta<T> = { rowName?: (row: T) => string };

type Props<T> = {
  /** The table's accessible name. */
  label: string;
  data: T[];
  // tanstack's column values are of every type
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: ColumnDef<T, any>[];
  getRowId: (row: T) => string;
  /** data-testid of the table element. */
  testId?: string;
  /**
   * The first page is loading, or what the rows need besides (who the user is, for the checkbox
   * column): skeleton rows stand for them, and no row shows.
   */
  loading: boolean;
  /** A (re)fetch is under way. */
  fetching?: boolean;
  skeletonRows?: number;
  cellClassName?: string;
  /** data-* attributes of a row (tests and e2e find rows by them). */
  rowAttributes?: (row: T) => Record<`data-${string}`, string | number>;
  /** Shown under a row (e.g. its details when opened). */
  afterRow?: (row: T) => ReactNode;
  /** Shown instead of rows when there are none. */
  empty?: ReactNode;
  /** Shown instead of rows when the list failed to load. */
  error?: ReactNode;
  /** Server-side sorting: only these column ids are sortable, as the API documents. */
  sorting?: { columns: readonly string[]; sort: SortState; onSort: (s: SortState) => void };
  /** Row selection with a checkbox column; rowName names a row for its checkbox. */
  selection?: { rows: RowSelection<T>; rowName: (row: T) => string; actions?: ReactNode };
  paging?: TablePaging;
};

/**
 * The one table of list screens (tanstack table): column definitions, the
 * server's sorting on clickable headers with aria-sort, a checkbox column
 * with a bulk-action bar, and the pager. Paging keeps focus on the pager (or
 * the table when the pressed button is gone), never the page top.
 */
export function DataTable<T>({ label, data, columns, getRowId, testId, loading, fetching, skeletonRows = 6, cellClassName = "px-4 py-3 align-top", rowAttributes, afterRow, empty, error, sorting, selection, paging }: Props<T>) {
  const { t } = useI18n();
  const sel = selection?.rows;
  // the columns stay the same objects while selecting, so no checkbox is remounted (focus stays);
  // a row's name comes through the table's meta, which follows every render
  const selectable = !!selection;
  const allColumns = useMemo<ColumnDef<T, unknown>[]>(() => {
    if (!selectable) return columns;
    return [
      {
        id: "select",
        header: ({ table }) => (
          <SelectBox checked={table.getIsAllPageRowsSelected()} indeterminate={table.getIsSomePageRowsSelected()} onChange={() => table.toggleAllPageRowsSelected()}
            label={t("table.selectAll")} data-testid="select-all" />
        ),
        cell: ({ row, table }) => (
          <SelectBox checked={row.getIsSelected()} onChange={() => row.toggleSelected()} data-select={row.id}
            label={t("table.selectRow", { name: (table.options.meta as Meta<T> | undefined)?.rowName?.(row.original) ?? row.id })} />
        ),
      },
      ...columns,
    ];
  }, [columns, selectable, t]);

  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data,
    columns: allColumns,
    getRowId: (r) => getRowId(r),
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    enableRowSelection: !!selection,
    meta: { rowName: selection?.rowName } satisfies Meta<T>,
    state: { rowSelection: sel?.state ?? {} },
    onRowSelectionChange: (u) => sel?.setState(typeof u === "function" ? u(sel.state) : u),
  });

  const region = useRef<HTMLDivElement>(null);
  // the checkbox sits level with the row's cells
  const selectCell = `w-10 px-3 py-3 ${/\balign-middle\b/.test(cellClassName) ? "align-middle" : "align-top"}`;

  const sortBy = (id: string) => {
    if (!sorting) return;
    const cur = sorting.sort;
    sorting.onSort({ id, desc: !(cur.id === id && cur.desc) });
  };

  return (
    <div className="space-y-4">
      {selection && (
        <BulkBar count={selection.rows.count} onClear={selection.rows.clear}>{selection.actions}</BulkBar>
      )}
      <div ref={region} tabIndex={-1} role="region" aria-label={label} className="relative overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-800">
        {/* A new table once the first page is in, and when the checkbox column comes or goes (it waits
            for who the user is): the columns take their widths from the rows and the checkbox, and
            header cells kept would move (a layout shift); new ones are not a shift. */}
        <table key={`${loading ? "loading" : "rows"}${selectable ? "+select" : ""}`} className="w-full text-sm" aria-busy={fetching ?? loading} data-testid={testId}>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase text-slate-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-400">
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const sortable = !!sorting?.columns.includes(h.column.id);
                  const dir = sortable && sorting?.sort.id === h.column.id ? (sorting.sort.desc ? "descending" : "ascending") : "none";
                  const content = flexRender(h.column.columnDef.header, h.getContext());
                  return (
                    <th key={h.id} scope="col" aria-sort={sortable ? dir : undefined}
                      className={`whitespace-nowrap text-start font-medium ${h.column.id === "select" ? "w-10 px-3 py-3" : cellClassName}`}>
                      {sortable ? (
                        <button type="button" onClick={() => sortBy(h.column.id)} data-sort={h.column.id}
                          className="inline-flex items-center gap-1 rounded uppercase hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:text-white">
                          {content}
                          <span aria-hidden className={dir === "none" ? "opacity-40" : ""}>{dir === "ascending" ? "▲" : dir === "descending" ? "▼" : "↕"}</span>
                        </button>
                      ) : content}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-700">
            {loading && <SkeletonRows rows={skeletonRows} columns={allColumns.length} cellClassName={cellClassName} />}
            {!loading && table.getRowModel().rows.map((row) => (
              <Fragment key={row.id}>
                <tr {...rowAttributes?.(row.original)} aria-selected={selection ? row.getIsSelected() : undefined}
                  className={row.getIsSelected() ? "bg-indigo-50/60 dark:bg-indigo-950/40" : "hover:bg-slate-50 dark:hover:bg-slate-700/40"}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className={cell.column.id === "select" ? selectCell : cellClassName}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                  ))}
                </tr>
                {afterRow?.(row.original)}
              </Fragment>
            ))}
          </tbody>
        </table>
        {!loading && !error && data.length === 0 && empty}
        {error}
      </div>
      {paging && <TablePager paging={paging} loading={loading} data={data} fallback={region} />}
    </div>
  );
}

/**
 * The footer of a paged list: the count and page (page mode), the page size,
 * previous and next. While the next page loads it stays, showing what the
 * last page said (no jump); after paging, focus stays on the pressed button,
 * or moves to fallback (the table) when that button is disabled now.
 */
export function TablePager<T>({ paging: given, loading, data, fallback }: { paging: TablePaging; loading: boolean; data: T[]; fallback: RefObject<HTMLElement | null> }) {
  const { t, number } = useI18n();
  const root = useRef<HTMLElement>(null);
  const paged = useRef(false);
  useEffect(() => {
    if (loading || !paged.current) return;
    paged.current = false;
    const active = document.activeElement;
    if (!active || active === document.body || !root.current?.contains(active) || (active as HTMLButtonElement).disabled) fallback.current?.focus();
  }, [loading, data, fallback]);
  const markPaged = <A extends unknown[]>(f: (...a: A) => void) => (...a: A) => {
    paged.current = true;
    f(...a);
  };

  const [held, setHeld] = useState<{ summary: string; pages: number; total?: number } | null>(null);
  if (given.mode === "page" && !loading && (held?.summary !== given.summary || held?.pages !== given.pages || held?.total !== given.total)) {
    setHeld({ summary: given.summary, pages: given.pages, total: given.total });
  }
  if (given.mode === "page" && loading && !held) return null; // the first page: nothing to say yet
  const paging: TablePaging = given.mode === "page" && loading && held ? { ...given, ...held } : given;

  const sizes = paging.pageSizes ?? [10, 20, 50, 100];
  const prev = paging.mode === "page" ? { disabled: paging.page <= 1, go: () => paging.onPage(paging.page - 1) } : { disabled: !paging.hasPrev, go: paging.onPrev };
  const next = paging.mode === "page" ? { disabled: paging.page >= paging.pages, go: () => paging.onPage(paging.page + 1) } : { disabled: !paging.hasNext, go: paging.onNext };
  return (
    <nav ref={root} aria-label={t("table.pagination")} className="flex flex-wrap items-center justify-between gap-3 text-sm">
      {paging.mode === "page" ? (
        <span className="text-slate-600 dark:text-slate-300" data-testid={paging.testId} data-total={paging.total}>{paging.summary} · {t("orders.pageOf", { page: paging.page, pages: Math.max(paging.pages, 1) })}</span>
      ) : <span />}
      <div className="flex items-center gap-2">
        <label className="flex items-center gap-2">
          {t("orders.pageSize")}
          <select value={paging.pageSize} onChange={(e) => paging.onPageSize(Number(e.target.value))} className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-800">
            {sizes.map((n) => <option key={n} value={n}>{number(n)}</option>)}
          </select>
        </label>
        <Button variant="secondary" disabled={prev.disabled} onClick={markPaged(prev.go)} data-page="prev">{t("orders.prev")}</Button>
        <Button variant="secondary" disabled={next.disabled} onClick={markPaged(next.go)} data-page="next">{t("orders.next")}</Button>
      </div>
    </nav>
  );
}
