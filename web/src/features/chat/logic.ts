/**
 * The chat screens' rules that are not drawing: the inbox's tabs and URL
 * state, the FAQ screen's URL state and search, the phrasings' textarea and
 * the sidebar badge's count. Pure, so tests reach them without a browser.
 */
import type { UrlCodec } from "@/lib/urlState";

export type ChatState = "bot" | "waiting" | "agent" | "resolved";
export type ChatLang = "fa" | "en";

/** The inbox's tabs: those waiting for a person first, then those a person holds, then the bot's, then the closed ones. */
export const inboxTabs: readonly ChatState[] = ["waiting", "agent", "bot", "resolved"];

/** The inbox's state in the URL: the tab and the open conversation (0: none). */
export type InboxView = { state: ChatState; open: number; page: number };
export const defaultInboxView: InboxView = { state: "waiting", open: 0, page: 1 };

const posInt = (v: string | null) => (v && /^[1-9]\d{0,15}$/.test(v) ? Number(v) : 0);

export const inboxCodec: UrlCodec<InboxView> = {
  parse: (sp) => {
    const s = sp.get("state");
    return {
      state: (inboxTabs as readonly string[]).includes(s ?? "") ? (s as ChatState) : defaultInboxView.state,
      open: posInt(sp.get("id")),
      page: posInt(sp.get("page")) || 1,
    };
  },
  serialize: (v) => {
    const sp = new URLSearchParams();
    if (v.state !== defaultInboxView.state) sp.set("state", v.state);
    if (v.open) sp.set("id", String(v.open));
    if (v.page !== 1) sp.set("page", String(v.page));
    return sp.toString();
  },
};

/** The FAQ screen's state in the URL: the tab (entries or canned replies), language, search and page. */
export type FaqView = { tab: "faq" | "canned"; lang: "" | ChatLang; q: string; page: number };
export const defaultFaqView: FaqView = { tab: "faq", lang: "", q: "", page: 1 };

export const faqCodec: UrlCodec<FaqView> = {
  parse: (sp) => {
    const lang = sp.get("lang");
    return {
      tab: sp.get("tab") === "canned" ? "canned" : "faq",
      lang: lang === "fa" || lang === "en" ? lang : "",
      q: (sp.get("q") ?? "").slice(0, 200),
      page: posInt(sp.get("page")) || 1,
    };
  },
  serialize: (v) => {
    const sp = new URLSearchParams();
    if (v.tab !== "faq") sp.set("tab", v.tab);
    if (v.lang) sp.set("lang", v.lang);
    if (v.q) sp.set("q", v.q);
    if (v.page !== 1) sp.set("page", String(v.page));
    return sp.toString();
  },
};

/**
 * Text folded for matching: Arabic ي/ك/ة/أ as Persian ی/ک/ه/ا, Arabic-Indic
 * and Persian digits as ASCII, diacritics, tatweel and zero-width joiners
 * dropped, runs of space as one, lower case.
 */
export function fold(s: string): string {
  return s
    .normalize("NFKC")
    .replace(/[يى]/g, "ی").replace(/ك/g, "ک").replace(/ة/g, "ه").replace(/[أإآ]/g, "ا").replace(/ؤ/g, "و")
    .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0)).replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u064b-\u065f\u0670\u0640\u200c\u200d\u200e\u200f]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

/** The phrasings textarea: one per line, trimmed, blank and repeated lines dropped. */
export function parsePhrasings(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const p = line.trim();
    if (!p || seen.has(fold(p))) continue;
    seen.add(fold(p));
    out.push(p);
  }
  return out;
}

/** What the sidebar's badge counts: conversations waiting for a person plus unread messages of those held. */
export function badgeCount(u: { waiting: number; messages: number } | undefined): number {
  return u ? Math.max(u.waiting, u.messages) : 0;
}

/**
 * Which actions the inbox offers on a conversation: taking it from the bot,
 * the queue or another agent (not from oneself), replying and resolving
 * while it is open; none without chatbot.handle.
 */
export function conversationActions(c: { state: ChatState; assignee: { id: number } | null }, me: { id: number; handle: boolean }) {
  const open = c.state !== "resolved";
  const mine = c.state === "agent" && c.assignee?.id === me.id;
  return { take: me.handle && open && !mine, reply: me.handle && open, resolve: me.handle && open };
}
