"use client";
import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A modal on the native <dialog> (as ConfirmDialog) holding a form: the page
 * behind is inert, Escape closes it unless busy, focus returns afterwards.
 */
export function Modal({ open, title, onClose, busy, children, testId }: { open: boolean; title: string; onClose: () => void; busy?: boolean; children: ReactNode; testId?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      if (typeof d.showModal === "function") d.showModal();
      else d.setAttribute("open", "");
    } else if (!open && d.open) {
      if (typeof d.close === "function") d.close();
      else d.removeAttribute("open");
    }
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} data-testid={testId} onCancel={(e) => { e.preventDefault(); if (!busy) onClose(); }}
      className="m-auto w-[calc(100%-2rem)] max-w-lg rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100">
      {open && (
        <div className="space-y-4 p-5">
          <h2 id={titleId} className="text-lg font-semibold">{title}</h2>
          {children}
        </div>
      )}
    </dialog>
  );
}
