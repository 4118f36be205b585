"use client";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";

/** Previous / next for a paged table whose page lives in the URL; nothing when there is one page. */
export function Pager({ label, page, pages, total, onPage }: { label: string; page: number; pages: number; total: string; onPage: (page: number) => void }) {
  const { t } = useI18n();
  if (pages <= 1 && page <= 1) return null;
  return (
    <nav aria-label={label} className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 px-4 py-3 text-sm dark:border-slate-700">
      <span className="text-slate-600 dark:text-slate-300">{total} · {t("account.pageOf", { page, pages: Math.max(pages, 1) })}</span>
      <div className="flex items-center gap-2">
        <Button variant="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t("account.prev")}</Button>
        <Button variant="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t("account.next")}</Button>
      </div>
    </nav>
  );
}
