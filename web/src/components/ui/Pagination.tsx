"use client";
import { useI18n } from "@/lib/i18n";
import { Button } from "./Button";

/** The footer of a paged list: the count and page, the page size, and previous/next. */
export function Pagination({ summary, page, pages, pageSize, pageSizes = [10, 20, 50, 100], onPage, onPageSize, testId, total }: {
  /** The count, e.g. "120 orders"; the page of pages follows it. */
  summary: string;
  page: number;
  pages: number;
  pageSize: number;
  pageSizes?: readonly number[];
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
  /** Marks the summary for tests, with the total as data-total. */
  testId?: string;
  total?: number;
}) {
  const { t, number } = useI18n();
  return (
    <nav aria-label="pagination" className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <span className="text-slate-600 dark:text-slate-300" data-testid={testId} data-total={total}>{summary} · {t("orders.pageOf", { page, pages: Math.max(pages, 1) })}</span>
      <div className="flex items-center gap-2">
        <label className="flex items-center gap-2">
          {t("orders.pageSize")}
          <select value={pageSize} onChange={(e) => onPageSize(Number(e.target.value))} className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-600 dark:bg-slate-800">
            {pageSizes.map((n) => <option key={n} value={n}>{number(n)}</option>)}
          </select>
        </label>
        <Button variant="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t("orders.prev")}</Button>
        <Button variant="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t("orders.next")}</Button>
      </div>
    </nav>
  );
}
