"use client";
import { useEffect, useId, useState, type KeyboardEvent } from "react";
import { useI18n } from "@/lib/i18n";
import { useUserById, useUserSearch, type UserOption } from "../api";

const control =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";

/**
 * Picks a user by name or email (an ARIA 1.2 combobox over GET /api/users?q=);
 * value and onChange carry the user's id as a string ("" for anyone).
 */
export function UserPicker({ label, value, onChange, className = "" }: { label: string; value: string; onChange: (id: string) => void; className?: string }) {
  const { t } = useI18n();
  const id = useId();
  const listId = id + "-list";
  const selected = useUserById(Number(value || 0), !!value);
  // the user just picked, named at once (before their record loads)
  const [picked, setPicked] = useState<UserOption | null>(null);
  const selectedText = value ? selected.data?.email ?? (picked && String(picked.id) === value ? picked.email : `#${value}`) : "";
  const [text, setText] = useState("");
  const [editing, setEditing] = useState(false);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [query, setQuery] = useState("");
  // the box shows the chosen user unless the user is typing in it
  const shown = editing ? text : selectedText;
  useEffect(() => {
    const h = setTimeout(() => setQuery(text === selectedText ? "" : text), 250);
    return () => clearTimeout(h);
  }, [text, selectedText]);
  const results = useUserSearch(query, open);
  const items = results.data ?? [];

  const choose = (u: UserOption) => {
    setPicked(u);
    onChange(String(u.id));
    setEditing(false);
    setOpen(false);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (!open) setOpen(true);
      else setActive((a) => Math.min(a + 1, items.length - 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === "Enter" && open && items[active]) {
      e.preventDefault();
      choose(items[active]);
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      setOpen(false);
    }
  };

  return (
    <div className={`relative ${className}`}>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{label}</label>
      <div className="relative">
        <input id={id} role="combobox" type="text" autoComplete="off" dir="auto" name="actor" className={`${control} pe-9`}
          aria-expanded={open} aria-controls={listId} aria-autocomplete="list"
          aria-activedescendant={open && items[active] ? `${listId}-${items[active].id}` : undefined}
          placeholder={t("audit.actorSearch")} value={shown}
          onFocus={() => { setText(selectedText); setEditing(true); setOpen(true); setActive(0); }}
          onChange={(e) => { setText(e.target.value); setEditing(true); setOpen(true); setActive(0); }}
          onBlur={() => {
            setEditing(false);
            setOpen(false);
            // emptied: anyone; anything else not chosen goes back to the chosen user
            if (text.trim() === "" && value) onChange("");
          }}
          onKeyDown={onKey} />
        {value && (
          <button type="button" onClick={() => { onChange(""); setText(""); }} aria-label={t("audit.clearActor")} title={t("audit.clearActor")}
            className="absolute inset-y-0 end-0 flex w-9 items-center justify-center rounded-e-md text-slate-400 hover:text-slate-700 dark:hover:text-slate-200">
            <span aria-hidden>{"×"}</span>
          </button>
        )}
      </div>
      {open && (
        <ul id={listId} role="listbox" aria-label={label}
          className="absolute z-20 mt-1 max-h-72 w-full overflow-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-800">
          {results.isPending && <li className="px-3 py-2 text-slate-500 dark:text-slate-400" role="presentation">{t("loading")}</li>}
          {results.isError && <li className="px-3 py-2 text-red-600 dark:text-red-400" role="presentation">{t("audit.actorError")}</li>}
          {results.isSuccess && items.length === 0 && <li className="px-3 py-2 text-slate-500 dark:text-slate-400" role="presentation">{t("audit.actorNoMatch")}</li>}
          {items.map((u, i) => (
            <li key={u.id} id={`${listId}-${u.id}`} role="option" aria-selected={i === active} data-user-id={u.id}
              onMouseDown={(e) => e.preventDefault()} onClick={() => choose(u)} onMouseEnter={() => setActive(i)}
              className="cursor-pointer px-3 py-2 aria-selected:bg-indigo-50 dark:aria-selected:bg-slate-700">
              <div className="font-medium">{u.name || u.email}</div>
              {u.name && <div className="text-xs text-slate-500 dark:text-slate-400"><span dir="ltr">{u.email}</span></div>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
