"use client";
import { useI18n } from "@/lib/i18n";
import type { ChatState } from "../logic";

const colours: Record<ChatState, string> = {
  waiting: "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200",
  agent: "bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200",
  bot: "bg-slate-100 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
  resolved: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
};

/** A conversation's state in words (colour only repeats it). */
export function StateBadge({ state }: { state: ChatState }) {
  const { t } = useI18n();
  return <span data-chat-state={state} className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${colours[state] ?? colours.bot}`}>{t(`chat.state.${state}`)}</span>;
}
