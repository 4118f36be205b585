"use client";
import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * Opens and closes a native <dialog> with `open` (showModal where there is
 * one, the open attribute otherwise, as in tests) and gives focus back to
 * what had it when it closes. With focusFirst, focus goes to the first
 * [data-autofocus] or field or button inside (not the X close button).
 */
export function useModalDialog(open: boolean, focusFirst = false) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      opener.current = document.activeElement;
      if (typeof d.showModal === "function") d.showModal();
      else d.setAttribute("open", ""); // environments without modal dialogs (tests)
      if (focusFirst) d.querySelector<HTMLElement>("[data-autofocus], input, select, textarea, button:not([data-close])")?.focus();
    } else if (!open && d.open) {
      if (typeof d.close === "function") d.close();
      else d.removeAttribute("open");
      if (opener.current instanceof HTMLElement) opener.current.focus();
    }
  }, [open, focusFirst]);
  return ref;
}

// the editor's larger dialogs are held to the viewport and scroll inside
const sizes = {
  lg: "max-w-lg",
  "2xl": "max-h-[90vh] max-w-2xl overflow-auto",
  "3xl": "max-w-3xl",
  "4xl": "max-h-[90vh] max-w-4xl overflow-auto",
} as const;

type Props = {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** While busy, Escape does nothing. */
  busy?: boolean;
  /** When given, an X button with this label closes the dialog. */
  closeLabel?: string;
  /** The dialog's max width. */
  size?: keyof typeof sizes;
  /** Focus the first field or button on opening (off when the content sets its own autoFocus). */
  focusFirst?: boolean;
  testId?: string;
};

/**
 * A modal on the native <dialog>: the page behind is inert, Escape closes it
 * (unless busy), focus starts inside and returns to the opener afterwards.
 */
export function Modal({ open, title, onClose, children, busy, closeLabel, size = "2xl", focusFirst = true, testId }: Props) {
  const ref = useModalDialog(open, focusFirst);
  const titleId = useId();
  const heading = <h2 id={titleId} className="text-lg font-semibold">{title}</h2>;
  return (
    <dialog ref={ref} aria-labelledby={titleId} data-testid={testId} onCancel={(e) => { e.preventDefault(); if (!busy) onClose(); }}
      className={`m-auto w-[calc(100%-2rem)] ${sizes[size]} rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100`}>
      {open && (
        <div className="space-y-4 p-5">
          {closeLabel ? (
            <div className="flex items-start justify-between gap-4">
              {heading}
              <button type="button" data-close onClick={onClose} aria-label={closeLabel} title={closeLabel}
                className="rounded p-1 text-slate-500 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-700">
                <svg viewBox="0 0 20 20" className="size-5" aria-hidden fill="currentColor"><path d="M6.3 5.3a1 1 0 0 0-1.4 1.4L8.6 10l-3.7 3.3a1 1 0 1 0 1.4 1.4L10 11.4l3.7 3.3a1 1 0 0 0 1.4-1.4L11.4 10l3.7-3.3a1 1 0 0 0-1.4-1.4L10 8.6z" /></svg>
              </button>
            </div>
          ) : heading}
          {children}
        </div>
      )}
    </dialog>
  );
}
