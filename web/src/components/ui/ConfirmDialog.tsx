"use client";
import { useId, type ReactNode } from "react";
import { Button } from "./Button";
import { useModalDialog } from "./Modal";

type Props = {
  open: boolean;
  title: string;
  children?: ReactNode;
  /** Omit to show only the cancel button (when the action cannot be done, only explained). */
  confirmLabel?: string;
  cancelLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm?: () => void;
  onCancel: () => void;
};

/**
 * A modal confirmation on the native <dialog>: the page behind is inert,
 * Escape cancels, focus starts on the safe choice and returns afterwards.
 */
export function ConfirmDialog({ open, title, children, confirmLabel, cancelLabel, danger, busy, onConfirm, onCancel }: Props) {
  const ref = useModalDialog(open);
  const titleId = useId();
  return (
    <dialog ref={ref} aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); if (!busy) onCancel(); }}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100">
      {open && (
        <div className="space-y-4 p-5">
          <h2 id={titleId} className="text-lg font-semibold">{title}</h2>
          {children && <div className="space-y-2 text-sm text-slate-700 dark:text-slate-300">{children}</div>}
          <div className="flex flex-wrap justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={onCancel} disabled={busy} autoFocus>{cancelLabel}</Button>
            {confirmLabel && onConfirm && <Button variant={danger ? "danger" : "primary"} onClick={onConfirm} disabled={busy} data-testid="confirm">{confirmLabel}</Button>}
          </div>
        </div>
      )}
    </dialog>
  );
}
