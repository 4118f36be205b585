"use client";
import { useEffect, useRef, useState } from "react";
import { useI18n } from "@/lib/i18n";
import { ConfirmDialog } from "./ui/ConfirmDialog";

/** Whether a key press belongs to what the user is typing into, not to the page. */
function typing(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  if (!el || !(el instanceof HTMLElement)) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.getAttribute("role") === "spinbutton";
}

/** The current list's search box: the first search field in the main area. */
export function searchBox(): HTMLInputElement | null {
  return document.querySelector<HTMLInputElement>('main input[type="search"], main [role="search"] input:not([type="hidden"])');
}

/**
 * The app's keyboard shortcuts, outside any field: "/" moves to the current
 * list's search box, "?" lists the shortcuts in a dialog (Escape closes it
 * and focus returns to where it was).
 */
export function KeyboardShortcuts() {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const back = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || typing(e)) return;
      if (e.key === "/") {
        const box = searchBox();
        if (!box) return;
        e.preventDefault();
        box.focus();
        box.select();
      } else if (e.key === "?") {
        e.preventDefault();
        back.current = document.activeElement as HTMLElement | null;
        setOpen(true);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  const close = () => {
    setOpen(false);
    const el = back.current;
    back.current = null;
    if (el && el !== document.body && el.isConnected) requestAnimationFrame(() => el.focus());
  };
  const rows: [string, string][] = [
    ["/", t("shortcuts.search")],
    ["?", t("shortcuts.help")],
    [t("shortcuts.escKey"), t("shortcuts.close")],
  ];
  return (
    <ConfirmDialog open={open} title={t("shortcuts.title")} cancelLabel={t("shortcuts.dismiss")} onCancel={close}>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2" data-testid="shortcuts">
        {rows.map(([k, what]) => (
          <div key={k} className="contents">
            <dt><kbd className="rounded border border-slate-300 bg-slate-100 px-1.5 py-0.5 font-mono text-xs dark:border-slate-600 dark:bg-slate-900">{k}</kbd></dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </ConfirmDialog>
  );
}
