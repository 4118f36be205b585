"use client";
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { useI18n } from "@/lib/i18n";
import { keyMove } from "../reorder";

type Props<T> = {
  items: readonly T[];
  getKey: (item: T) => string;
  /** Names an item in the handle's label and the announcements. */
  itemName: (item: T) => string;
  /** Asks for the item at from to go to index to (the caller reorders, optimistically or not). */
  onMove: (from: number, to: number) => void;
  children: (item: T, index: number) => ReactNode;
  /** The list's accessible name. */
  label: string;
  /** Moving is off (no permission, a save under way): the handles and buttons are disabled. */
  disabled?: boolean;
  testId?: string;
};

/** A value for an attribute selector in quotes. */
const attr = (v: string) => v.replace(/["\\]/g, "\\$&");

const iconButton = "inline-flex shrink-0 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:opacity-30 dark:text-slate-300 dark:hover:bg-slate-700";

/**
 * A list the user puts in order three ways: dragging an item by its handle
 * (native HTML5 drag and drop; no touch dragging), the arrow keys (and Home/End) on an item's grab handle, or
 * its move up / move down buttons. Every move is announced in a polite live
 * region ("Moved X to position 2 of 5"), and focus follows the moved item's
 * handle or button.
 */
export function SortableList<T>({ items, getKey, itemName, onMove, children, label, disabled, testId }: Props<T>) {
  const { t } = useI18n();
  const [announcement, setAnnouncement] = useState("");
  const [dragKey, setDragKey] = useState<string | null>(null);
  const [overIndex, setOverIndex] = useState<number | null>(null);
  // an item is draggable only while the pointer is down on its handle: the fields inside it (captions) stay selectable
  const [armed, setArmed] = useState<string | null>(null);
  const root = useRef<HTMLOListElement>(null);
  // after a keyboard move the moved item's control gets focus back (moving a node in the DOM drops it)
  // (once the list given is a new one: the move applied, or undone)
  const refocus = useRef<{ key: string; control: string; before: readonly T[] } | null>(null);

  useLayoutEffect(() => {
    const r = refocus.current;
    if (!r || !root.current || r.before === items) return;
    const el = root.current.querySelector<HTMLElement>(`[data-sort-key="${attr(r.key)}"] [data-control="${r.control}"]`);
    if (el && !(el as HTMLButtonElement).disabled) {
      refocus.current = null;
      el.focus();
    } else if (el) {
      // the button went disabled (top or bottom now): the handle keeps focus instead
      refocus.current = null;
      root.current.querySelector<HTMLElement>(`[data-sort-key="${attr(r.key)}"] [data-control="handle"]`)?.focus();
    }
  });
  useEffect(() => {
    if (!announcement) return;
    const h = setTimeout(() => setAnnouncement(""), 5000);
    return () => clearTimeout(h);
  }, [announcement]);

  const move = (from: number, to: number, control?: string) => {
    if (disabled || from === to || to < 0 || to >= items.length) return;
    const item = items[from];
    if (control) refocus.current = { key: getKey(item), control, before: items };
    onMove(from, to);
    setAnnouncement(t("reorder.moved", { name: itemName(item), position: to + 1, total: items.length }));
  };

  return (
    <div>
      <p className="sr-only" id={`${testId ?? "sortable"}-help`}>{t("reorder.help")}</p>
      <ol ref={root} aria-label={label} data-testid={testId} className="space-y-2">
        {items.map((item, i) => {
          const key = getKey(item);
          const name = itemName(item);
          const dropHere = dragKey !== null && overIndex === i && dragKey !== key;
          return (
            <li key={key} data-sort-key={key}
              draggable={!disabled && armed === key}
              onDragStart={(e) => {
                setDragKey(key);
                e.dataTransfer.effectAllowed = "move";
                e.dataTransfer.setData("text/plain", key);
              }}
              onDragOver={(e) => {
                if (dragKey === null) return;
                e.preventDefault();
                e.dataTransfer.dropEffect = "move";
                if (overIndex !== i) setOverIndex(i);
              }}
              onDrop={(e) => {
                e.preventDefault();
                const from = items.findIndex((x) => getKey(x) === dragKey);
                setDragKey(null);
                setOverIndex(null);
                if (from >= 0) move(from, i);
              }}
              onDragEnd={() => {
                setArmed(null);
                setDragKey(null);
                setOverIndex(null);
              }}
              className={`flex items-stretch gap-2 rounded-xl border bg-white shadow-sm dark:bg-slate-800 ${dropHere ? "border-indigo-500 ring-2 ring-indigo-300" : "border-slate-200 dark:border-slate-700"} ${dragKey === key ? "opacity-50" : ""}`}>
              {/* the handle, and beside it the two move buttons one above the other: a row is as tall as its content, not three buttons */}
              <div className="flex shrink-0 items-center gap-0.5 border-e border-slate-100 px-1 py-1 dark:border-slate-700">
                <button type="button" data-control="handle" disabled={disabled} aria-describedby={`${testId ?? "sortable"}-help`}
                  aria-label={t("reorder.handle", { name, position: i + 1, total: items.length })}
                  onPointerDown={() => setArmed(key)}
                  onPointerUp={() => setArmed(null)}
                  onKeyDown={(e) => {
                    const to = keyMove(e.key, i, items.length);
                    if (to === null) return;
                    e.preventDefault();
                    move(i, to, "handle");
                  }}
                  className={`${iconButton} size-8 cursor-grab active:cursor-grabbing`}>
                  <svg viewBox="0 0 20 20" className="size-4" fill="currentColor" aria-hidden><circle cx="7" cy="5" r="1.5" /><circle cx="13" cy="5" r="1.5" /><circle cx="7" cy="10" r="1.5" /><circle cx="13" cy="10" r="1.5" /><circle cx="7" cy="15" r="1.5" /><circle cx="13" cy="15" r="1.5" /></svg>
                </button>
                <div className="flex flex-col">
                  <button type="button" data-control="up" className={`${iconButton} h-6 w-7 text-[0.625rem]`} disabled={disabled || i === 0} onClick={() => move(i, i - 1, "up")} aria-label={t("reorder.up", { name })} title={t("reorder.up", { name })}>
                    <span aria-hidden>{"▲"}</span>
                  </button>
                  <button type="button" data-control="down" className={`${iconButton} h-6 w-7 text-[0.625rem]`} disabled={disabled || i === items.length - 1} onClick={() => move(i, i + 1, "down")} aria-label={t("reorder.down", { name })} title={t("reorder.down", { name })}>
                    <span aria-hidden>{"▼"}</span>
                  </button>
                </div>
              </div>
              <div className="min-w-0 flex-1 self-center py-1 pe-3">{children(item, i)}</div>
            </li>
          );
        })}
      </ol>
      <div aria-live="polite" role="status" className="sr-only" data-testid={`${testId ?? "sortable"}-announce`}>{announcement}</div>
    </div>
  );
}
