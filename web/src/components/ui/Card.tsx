import type { HTMLAttributes } from "react";

export function Card({ className = "", ...props }: HTMLAttributes<HTMLDivElement>) {
  return <div {...props} className={`rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-800 ${className}`} />;
}

export function Skeleton({ className = "" }: { className?: string }) {
  return <div aria-hidden className={`animate-pulse rounded bg-slate-200 dark:bg-slate-700 ${className}`} />;
}

/** Placeholder rows of a table loading its first page, one cell per column. */
export function SkeletonRows({ rows, columns, cellClassName }: { rows: number; columns: number; cellClassName: string }) {
  return Array.from({ length: rows }, (_, i) => (
    <tr key={i} data-testid="skeleton-row">
      {Array.from({ length: columns }, (_, j) => <td key={j} className={cellClassName}><Skeleton className="h-4 w-full" /></td>)}
    </tr>
  ));
}
