"use client";
import { useI18n } from "@/lib/i18n";
import { diffLines, foldLines, lineDir } from "../../diff";
import type { DiffOp } from "../../types";

/**
 * A word diff, line by line, each line in its own direction (its text's first strong character).
 * Insertions are <ins> (underlined), deletions <del> (struck through), and
 * each is also named for screen readers: the colour is never the only sign.
 * Long runs of unchanged lines are folded to a line saying how many.
 */
export function DiffView({ ops, testId }: { ops: DiffOp[]; testId?: string }) {
  const { t, number } = useI18n();
  const lines = foldLines(diffLines(ops));
  if (!ops.some((o) => o.kind !== "equal")) return <p className="text-sm text-slate-600 dark:text-slate-300">{t("post.diff.same")}</p>;
  return (
    <div className="max-h-96 overflow-auto rounded-md border border-slate-200 p-2 text-sm leading-7 dark:border-slate-700" data-testid={testId}>
      {lines.map((line, i) => "folded" in line ? (
        <p key={i} className="my-1 border-y border-dashed border-slate-300 text-center text-xs text-slate-500 dark:border-slate-600 dark:text-slate-400">{t("post.diff.folded", { n: number(line.folded) })}</p>
      ) : (
        <p key={i} dir={lineDir(line.map((op) => op.text).join(""))} className="min-h-7 whitespace-pre-wrap break-words">
          <DiffOps ops={line} />
        </p>
      ))}
    </div>
  );
}

/** The pieces of one line of a word diff: <ins> and <del>, each named for screen readers too. */
function DiffOps({ ops }: { ops: DiffOp[] }) {
  const { t } = useI18n();
  return ops.map((op, j) =>
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
  );
}

/**
 * A short one-line field (a title, an excerpt) as a word diff in its own text's direction: the
 * words kept stay plain, only the words changed are marked (the server's word-level ops).
 */
export function InlineDiff({ ops, testId }: { ops: DiffOp[]; testId?: string }) {
  return (
    <span dir={lineDir(ops.map((op) => op.text).join(""))} className="block whitespace-pre-wrap break-words" data-testid={testId}>
      <DiffOps ops={ops} />
    </span>
  );
}
