"use client";
import { useI18n } from "@/lib/i18n";
import { diffLines } from "../../diff";
import type { DiffOp } from "../../types";

/**
 * A word diff, line by line, each line in its own direction (dir="auto").
 * Insertions are <ins> (underlined), deletions <del> (struck through), and
 * each is also named for screen readers: the colour is never the only sign.
 */
export function DiffView({ ops, testId }: { ops: DiffOp[]; testId?: string }) {
  const { t } = useI18n();
  const lines = diffLines(ops);
  if (!ops.some((o) => o.kind !== "equal")) return <p className="text-sm text-slate-600 dark:text-slate-300">{t("post.diff.same")}</p>;
  return (
    <div className="max-h-96 overflow-auto rounded-md border border-slate-200 p-2 text-sm leading-7 dark:border-slate-700" data-testid={testId}>
      {lines.map((line, i) => (
        <p key={i} dir="auto" className="min-h-7 whitespace-pre-wrap break-words">
          {line.map((op, j) =>
            op.kind === "insert" ? (
              <ins key={j} className="bg-emerald-100 text-emerald-900 underline decoration-2 dark:bg-emerald-950 dark:text-emerald-200">
                <span className="sr-only">{t("post.diff.inserted")} </span>{op.text}
              </ins>
            ) : op.kind === "delete" ? (
              <del key={j} className="bg-red-100 text-red-900 line-through decoration-2 dark:bg-red-950 dark:text-red-200">
                <span className="sr-only">{t("post.diff.deleted")} </span>{op.text}
              </del>
            ) : (
              <span key={j}>{op.text}</span>
            ),
          )}
        </p>
      ))}
    </div>
  );
}
