"use client";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";

export type MenuItem = { label: string; onSelect: () => void; danger?: boolean };

/**
 * A menu button following the WAI-ARIA menu button pattern: Enter, Space
 * or ArrowDown opens it and focuses the first item; ArrowUp/ArrowDown
 * move, Home/End jump, Escape and Tab close and return focus; a click
 * outside closes it. (Small on purpose: the orders page must stay under
 * its JavaScript budget.)
 */
export function Menu({ label, trigger, header, items }: { label: string; trigger: ReactNode; header?: ReactNode; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const focusItem = (i: number) => {
    const els = list.current?.querySelectorAll<HTMLElement>('[role="menuitem"]');
    if (els && els.length) els[(i + els.length) % els.length].focus();
  };
  useEffect(() => {
    if (!open) return;
    focusItem(0);
    const close = (e: MouseEvent) => {
      if (!list.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);
  const onKey = (e: React.KeyboardEvent) => {
    const els = Array.from(list.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const i = els.indexOf(document.activeElement as HTMLElement);
    const keys: Record<string, () => void> = {
      ArrowDown: () => focusItem(i + 1),
      ArrowUp: () => focusItem(i - 1),
      Home: () => focusItem(0),
      End: () => focusItem(els.length - 1),
      Escape: () => { setOpen(false); button.current?.focus(); },
      Tab: () => setOpen(false),
    };
    if (keys[e.key]) {
      if (e.key !== "Tab") e.preventDefault();
      keys[e.key]();
    }
  };
  return (
    <div className="relative">
      <button ref={button} type="button" aria-label={label} aria-haspopup="menu" aria-expanded={open} aria-controls={id}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => { if (e.key === "ArrowDown") { e.preventDefault(); setOpen(true); } }}
        className="rounded-md px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-800">
        {trigger}
      </button>
      {open && (
        <div ref={list} id={id} role="menu" aria-label={label} onKeyDown={onKey}
          className="absolute end-0 z-50 mt-1 min-w-44 rounded-md border border-slate-200 bg-white p-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100">
          {header}
          {items.map((it) => (
            <button key={it.label} type="button" role="menuitem" tabIndex={-1}
              onClick={() => { setOpen(false); it.onSelect(); }}
              className={`block w-full rounded px-3 py-2 text-start outline-none hover:bg-slate-100 focus:bg-slate-100 dark:hover:bg-slate-700 dark:focus:bg-slate-700 ${it.danger ? "text-red-600 dark:text-red-400" : ""}`}>
              {it.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
