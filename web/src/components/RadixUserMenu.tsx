"use client";
import * as Dropdown from "@radix-ui/react-dropdown-menu";
import { useEffect, useRef, type ReactNode } from "react";
import type { MenuItem } from "./UserMenu";

// the keyboard highlight: a solid fill well over 3:1 against the menu, with its text over 4.5:1 on it
const item = "cursor-pointer rounded px-3 py-2 outline-none data-[highlighted]:bg-indigo-700 data-[highlighted]:text-white dark:data-[highlighted]:bg-indigo-300 dark:data-[highlighted]:text-slate-950";
const danger = "text-red-700 data-[highlighted]:bg-red-700 data-[highlighted]:text-white dark:text-red-300 dark:data-[highlighted]:bg-red-300 dark:data-[highlighted]:text-slate-950";

/** The user menu on Radix's dropdown (loaded on first hover, focus or click). */
export default function RadixUserMenu({ label, trigger, header, items, dir, defaultOpen, focusTrigger }: {
  label: string; trigger: ReactNode; header?: ReactNode; items: MenuItem[]; dir: "rtl" | "ltr"; defaultOpen: boolean; focusTrigger: boolean;
}) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // the stand-in had focus and gave way to this trigger: focus follows, unless it is already elsewhere
    const free = !document.activeElement || document.activeElement === document.body;
    if (focusTrigger && !defaultOpen && free) ref.current?.focus();
  }, [focusTrigger, defaultOpen]);
  return (
    <Dropdown.Root dir={dir} defaultOpen={defaultOpen} modal={false}>
      <Dropdown.Trigger ref={ref} aria-label={label} className="max-w-[45vw] truncate rounded-md px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-800">
        {trigger}
      </Dropdown.Trigger>
      <Dropdown.Portal>
        <Dropdown.Content align="end" sideOffset={6} className="z-50 min-w-44 rounded-md border border-slate-200 bg-white p-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100">
          {header}
          {items.map((it) => (
            <Dropdown.Item key={it.label} lang={it.lang} onSelect={it.onSelect} className={`${item} ${it.danger ? danger : ""}`}>
              {it.label}
            </Dropdown.Item>
          ))}
        </Dropdown.Content>
      </Dropdown.Portal>
    </Dropdown.Root>
  );
}
