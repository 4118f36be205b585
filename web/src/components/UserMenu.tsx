"use client";
import { useState, type ComponentType, type ReactNode } from "react";

/** lang: the item's language when it is not the page's (the language switch names its language in it). */
export type MenuItem = { label: string; onSelect: () => void; danger?: boolean; lang?: string };

type Props = { label: string; trigger: ReactNode; header?: ReactNode; items: MenuItem[]; dir: "rtl" | "ltr" };
type Loaded = ComponentType<Props & { defaultOpen: boolean; focusTrigger: boolean }>;

/**
 * The user menu. Radix's accessible dropdown is loaded when the user first
 * reaches for the menu (hover, focus, press), keeping it out of the orders
 * page's first-load JavaScript; until then a plain button stands in. The
 * press opens it on pointerdown, as Radix's own trigger does: had it waited
 * for the click, a menu loaded between press and release would swallow the
 * click (its trigger does not open on click) and stay shut.
 */
export function UserMenu(props: Props) {
  const [Menu, setMenu] = useState<Loaded | null>(null);
  const [open, setOpen] = useState(false);
  const [focused, setFocused] = useState(false);
  const load = (openIt: boolean, focus = false) => {
    if (openIt) setOpen(true);
    if (focus) setFocused(true);
    void import("./RadixUserMenu").then((m) => setMenu(() => m.default));
  };
  if (Menu) return <Menu {...props} defaultOpen={open} focusTrigger={focused} />;
  return (
    <button type="button" aria-label={props.label} aria-haspopup="menu" aria-expanded={false}
      onPointerEnter={() => load(false)} onFocus={() => load(false, true)}
      // focus that moved on (into a field, say) while the menu loaded stays where the user put it
      onBlur={() => setFocused(false)}
      onPointerDown={(e) => { if (e.button === 0 && !e.ctrlKey) load(true); }}
      onClick={() => load(true)}
      onKeyDown={(e) => { if (e.key === "ArrowDown" || e.key === "Enter" || e.key === " ") { e.preventDefault(); load(true); } }}
      className="max-w-[45vw] truncate rounded-md px-3 py-1.5 text-sm font-medium hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-800">
      {props.trigger}
    </button>
  );
}
