"use client";
import { useId, useState, type KeyboardEvent } from "react";
import { useI18n } from "@/lib/i18n";

/** Most names a post may carry per list (the server's limit). */
export const maxChips = 20;

/** Adds the typed names (comma-separated, Persian comma too) to list, trimmed, without duplicates, up to maxChips. */
export function addChips(list: string[], typed: string): string[] {
  const out = [...list];
  for (const raw of typed.split(/[,،]/)) {
    const name = raw.trim().replace(/\s+/g, " ");
    if (name && !out.includes(name) && out.length < maxChips) out.push(name);
  }
  return out;
}

/**
 * Tags or categories as chips: Enter or a comma adds what was typed,
 * Backspace in the empty field removes the last chip, each chip has its own
 * remove button.
 */
export function ChipsInput({ label, value, onChange, testId }: { label: string; value: string[]; onChange: (v: string[]) => void; testId?: string }) {
  const { t } = useI18n();
  const id = useId();
  const [typed, setTyped] = useState("");
  function commit() {
    if (!typed.trim()) return;
    onChange(addChips(value, typed));
    setTyped("");
  }
  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "Enter" || e.key === "," || e.key === "،") {
      e.preventDefault();
      commit();
    } else if (e.key === "Backspace" && typed === "" && value.length > 0) onChange(value.slice(0, -1));
  }
  return (
    <div data-testid={testId}>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{label}</label>
      <div className="flex flex-wrap items-center gap-1 rounded-md border border-slate-300 bg-white p-1.5 focus-within:border-indigo-500 focus-within:ring-1 focus-within:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900">
        <ul className="contents" aria-label={label}>
          {value.map((name) => (
            <li key={name} className="inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 ps-2.5 pe-1 text-xs text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100">
              <span dir="auto">{name}</span>
              <button type="button" onClick={() => onChange(value.filter((x) => x !== name))} aria-label={t("post.chips.remove", { name })}
                className="rounded-full p-0.5 hover:bg-indigo-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-indigo-900">
                <svg viewBox="0 0 20 20" className="size-3" aria-hidden fill="currentColor"><path d="M6.3 5.3a1 1 0 0 0-1.4 1.4L8.6 10l-3.7 3.3a1 1 0 1 0 1.4 1.4L10 11.4l3.7 3.3a1 1 0 0 0 1.4-1.4L11.4 10l3.7-3.3a1 1 0 0 0-1.4-1.4L10 8.6z" /></svg>
              </button>
            </li>
          ))}
        </ul>
        <input id={id} value={typed} onChange={(e) => setTyped(e.target.value)} onKeyDown={onKeyDown} onBlur={commit} dir="auto"
          disabled={value.length >= maxChips} placeholder={value.length >= maxChips ? t("post.chips.full", { n: maxChips }) : t("post.chips.hint")}
          className="min-w-24 flex-1 bg-transparent px-1 py-1 text-sm focus:outline-none" />
      </div>
    </div>
  );
}
