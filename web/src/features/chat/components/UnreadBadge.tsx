"use client";
import { useI18n } from "@/lib/i18n";
import { can, useMe } from "@/lib/me";
import { plural } from "@/lib/plural";
import { useUnread } from "../api";
import { badgeCount } from "../logic";

/**
 * The inbox's count in the sidebar: conversations waiting for a person or
 * unread visitor messages (GET /api/chat/unread, read again on every "chat"
 * event). The number is drawn; its words ("3 unread") are the accessible
 * name. Nothing while there is nothing unread, or without chatbot.view.
 */
export function ChatUnreadBadge() {
  const { t, number, locale } = useI18n();
  const me = useMe();
  const unread = useUnread(can(me.data, "chatbot.view"));
  const n = badgeCount(unread.data);
  if (n === 0) return null;
  return (
    <span data-testid="chat-unread" data-count={n} className="ms-auto inline-flex min-w-5 items-center justify-center rounded-full bg-red-600 px-1.5 py-0.5 text-xs font-semibold leading-none text-white">
      <span aria-hidden>{number(n)}</span>
      <span className="sr-only">{plural(locale, n, { one: t("chat.unread.one", { n: number(n) }), other: t("chat.unread.other", { n: number(n) }) })}</span>
    </span>
  );
}
