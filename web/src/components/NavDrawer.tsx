"use client";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useI18n } from "@/lib/i18n";

/**
 * Navigation on narrow screens: a menu button opening the side navigation
 * in a modal drawer (native <dialog>: the page behind is inert, so focus
 * stays inside; Escape closes; focus returns to the button). It closes when
 * a link in it is followed.
 */
export function NavDrawer({ children, path }: { children: ReactNode; path: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      if (typeof d.showModal === "function") d.showModal();
      else d.setAttribute("open", "");
    } else if (!open && d.open) {
      if (typeof d.close === "function") d.close();
      else d.removeAttribute("open");
      button.current?.focus();
    }
  }, [open]);
  // following a link closes the drawer
  const [lastPath, setLastPath] = useState(path);
  if (lastPath !== path) {
    setLastPath(path);
    setOpen(false);
  }
  return (
    <>
      <button ref={button} type="button" aria-label={t("nav.open")} aria-haspopup="dialog" aria-expanded={open} data-testid="nav-open" onClick={() => setOpen(true)}
        className="rounded-md p-2 text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 md:hidden dark:text-slate-200 dark:hover:bg-slate-800">
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-5" fill="currentColor"><path d="M3 5h14v2H3zm0 4h14v2H3zm0 4h14v2H3z" /></svg>
      </button>
      <dialog ref={ref} aria-label={t("nav.menu")} data-testid="nav-drawer" onCancel={(e) => { e.preventDefault(); setOpen(false); }}
        onClick={(e) => { if (e.target === e.currentTarget) setOpen(false); }}
        className="m-0 h-dvh max-h-none w-72 max-w-[85vw] border-e border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 ltr:mr-auto rtl:ml-auto dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100">
        {open && (
          <div className="p-4">
            <div className="mb-4 flex items-center justify-between">
              <span className="text-lg font-bold text-indigo-600 dark:text-indigo-400">{t("appName")}</span>
              <button type="button" onClick={() => setOpen(false)} aria-label={t("nav.close")} data-testid="nav-close"
                className="rounded-md p-2 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-800">
                <svg aria-hidden="true" viewBox="0 0 20 20" className="size-5" fill="currentColor"><path d="M5.3 4 10 8.6 14.7 4 16 5.3 11.4 10l4.6 4.7-1.3 1.3-4.7-4.6L5.3 16 4 14.7 8.6 10 4 5.3z" /></svg>
              </button>
            </div>
            {children}
          </div>
        )}
      </dialog>
    </>
  );
}
