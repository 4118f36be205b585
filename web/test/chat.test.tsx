import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ChatUnreadBadge, FaqScreen, InboxScreen } from "@/features/chat";
import { badgeCount, conversationActions, defaultFaqView, defaultInboxView, faqCodec, fold, inboxCodec, parsePhrasings } from "@/features/chat/logic";
import { onResourceEvent } from "@/lib/events";
import { I18nProvider } from "@/lib/i18n";
import { en } from "@/lib/messages.en";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";
import { memoryNavigation } from "./nav";

const nav = vi.hoisted(() => ({ current: null as ReturnType<typeof memoryNavigation> | null }));
vi.mock("next/navigation", async () => {
  const { memoryNavigation } = await import("./nav");
  nav.current = memoryNavigation("/chat");
  return nav.current.module;
});

afterEach(() => vi.unstubAllGlobals());

describe("the chat screens' rules", () => {
  it("keeps the inbox's tab, open conversation and page in the URL, and drops what is not valid", () => {
    const v = inboxCodec.parse(new URLSearchParams("state=agent&id=42&page=3"));
    expect(v).toEqual({ state: "agent", open: 42, page: 3 });
    expect(inboxCodec.parse(new URLSearchParams(inboxCodec.serialize(v)))).toEqual(v);
    expect(inboxCodec.parse(new URLSearchParams("state=deleted&id=-1&page=0"))).toEqual(defaultInboxView);
    expect(inboxCodec.serialize(defaultInboxView)).toBe("");
    expect(defaultInboxView.state).toBe("waiting"); // those waiting for a person come first
  });

  it("keeps the FAQ screen's tab, language, search and page, and drops what is not valid", () => {
    const v = faqCodec.parse(new URLSearchParams("tab=canned&lang=en&q=ship&page=2"));
    expect(v).toEqual({ tab: "canned", lang: "en", q: "ship", page: 2 });
    expect(faqCodec.parse(new URLSearchParams(faqCodec.serialize(v)))).toEqual(v);
    expect(faqCodec.parse(new URLSearchParams("tab=x&lang=de&page=abc"))).toEqual(defaultFaqView);
  });

  it("folds Arabic and Persian letters, digits and half-spaces (to tell repeated phrasings apart)", () => {
    expect(fold("كيف  مي‌توانم ۱۲")).toBe("کیف میتوانم 12");
  });

  it("reads phrasings one a line, without blanks or repeats", () => {
    expect(parsePhrasings("  a  \n\nb\r\nA\n ي \nی")).toEqual(["a", "b", "ي"]);
  });

  it("offers take, reply and resolve only to chatbot.handle, never on a resolved conversation, and no take of one's own", () => {
    const me = { id: 5, handle: true };
    expect(conversationActions({ state: "waiting", assignee: null }, me)).toEqual({ take: true, reply: true, resolve: true });
    expect(conversationActions({ state: "agent", assignee: { id: 5 } }, me).take).toBe(false);
    expect(conversationActions({ state: "agent", assignee: { id: 9 } }, me).take).toBe(true);
    expect(conversationActions({ state: "resolved", assignee: { id: 5 } }, me)).toEqual({ take: false, reply: false, resolve: false });
    expect(conversationActions({ state: "waiting", assignee: null }, { id: 5, handle: false })).toEqual({ take: false, reply: false, resolve: false });
    expect(badgeCount(undefined)).toBe(0);
    expect(badgeCount({ waiting: 2, messages: 5 })).toBe(5);
    expect(badgeCount({ waiting: 1, messages: 0 })).toBe(1);
  });
});

type Answer = { status: number; body?: unknown; etag?: string };
function serve(route: (req: Request, url: URL, body: unknown) => Answer | undefined) {
  const seen: { method: string; path: string; search: string; body: unknown; ifMatch: string | null }[] = [];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const text = req.method === "GET" ? "" : await req.clone().text();
    const body = text ? JSON.parse(text) : undefined;
    seen.push({ method: req.method, path: url.pathname, search: url.search, body, ifMatch: req.headers.get("If-Match") });
    const res = route(req, url, body) ?? { status: 404, body: { code: "NOT_FOUND", message: "no route" } };
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (res.etag) headers.ETag = res.etag;
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers });
  }));
  return seen;
}
const me = (permissions: string[]) => ({ id: 1, email: "agent@example.com", name: "Agent", is_superuser: false, roles: [], csrf_token: "c", totp_enabled: false, totp_setup_required: false, permissions });
const at = "2026-12-07T10:00:00Z";
const conv = (over: Record<string, unknown> = {}) => ({
  id: 12, lang: "en", state: "waiting", assignee: null as { id: number; email: string } | null, unread: 2, last_message: "Can I talk to a person?", created_at: at, updated_at: at, last_message_at: at, ...over,
});
const msgs = [
  { id: 1, role: "visitor", text: "How much is shipping?", sources: [], at, author: null },
  { id: 2, role: "bot", text: "Shipping is free over 500.", sources: [{ type: "post", slug: "shipping", title: "Shipping rules", url: "https://site.example/blog/shipping" }], at, author: null },
  { id: 3, role: "visitor", text: "Can I talk to a person?", sources: [], at, author: null },
];
const page = (items: unknown[]) => ({ items, page: 1, page_size: 20, total: items.length, total_pages: items.length ? 1 : 0 });
const wrap = (ui: React.ReactNode) => {
  window.localStorage.setItem("pishkhan.locale", "en");
  const client = makeQueryClient();
  render(<QueryClientProvider client={client}><I18nProvider><ToastProvider>{ui}</ToastProvider></I18nProvider></QueryClientProvider>);
  return client;
};

describe("the inbox", { timeout: 20_000 }, () => { // the machine's cores are shared: rendering and typing can take seconds
  it("opens a waiting conversation with its transcript and sources, takes it, replies with a canned reply and resolves it", async () => {
    nav.current!.reset("/chat");
    let detail = { ...conv(), messages: msgs as unknown[] };
    const seen = serve((req, url, body) => {
      const p = url.pathname;
      if (p === "/api/auth/me") return { status: 200, body: me(["chatbot.view", "chatbot.handle"]) };
      if (p === "/api/chat/conversations") return { status: 200, body: page(url.searchParams.get("state") === "waiting" ? [conv()] : []) };
      if (p === "/api/chat/conversations/12") return { status: 200, body: detail };
      if (p === "/api/chat/canned") return { status: 200, body: { items: [
        { id: 4, lang: "en", title: "Greeting", text: "Hello, I am here to help.", created_at: at, updated_at: at },
        { id: 5, lang: "fa", title: "سلام", text: "سلام، در خدمتم.", created_at: at, updated_at: at },
      ] } };
      if (p === "/api/chat/conversations/12/take") {
        detail = { ...detail, state: "agent", assignee: { id: 1, email: "agent@example.com" }, unread: 0 };
        return { status: 200, body: detail };
      }
      if (p === "/api/chat/conversations/12/messages" && req.method === "POST") {
        const m = { id: 4, role: "agent", text: (body as { text: string }).text, sources: [], at, author: { id: 1, email: "agent@example.com" } };
        detail = { ...detail, messages: [...detail.messages, m] };
        return { status: 201, body: m };
      }
      if (p === "/api/chat/conversations/12/resolve") {
        detail = { ...detail, state: "resolved" };
        return { status: 200, body: detail };
      }
      return undefined;
    });
    wrap(<InboxScreen />);
    const row = await screen.findByText("Can I talk to a person?", { selector: "button span" });
    expect(seen.find((s) => s.path === "/api/chat/conversations")!.search).toContain("state=waiting");
    await userEvent.click(row);
    expect(nav.current!.url).toBe("/chat?id=12");
    const pane = await screen.findByTestId("conversation");
    await within(pane).findByText("How much is shipping?");
    const source = within(pane).getByRole("link", { name: "Shipping rules" });
    expect(source.getAttribute("href")).toBe("https://site.example/blog/shipping");
    expect(within(pane).queryByText(en["chat.faq.make"])).toBeNull(); // no chatbot.manage

    await userEvent.click(within(pane).getByRole("button", { name: en["chat.take"] }));
    await waitFor(() => expect(pane.getAttribute("data-state")).toBe("agent"));
    expect(within(pane).queryByRole("button", { name: en["chat.take"] })).toBeNull();

    // only the conversation's language's canned replies are offered
    const picker = within(pane).getByTestId("canned-picker") as HTMLSelectElement;
    expect([...picker.options].map((o) => o.textContent)).toEqual([en["chat.canned.choose"], "Greeting"]);
    await userEvent.selectOptions(picker, "4");
    const box = within(pane).getByTestId("reply-text") as HTMLTextAreaElement;
    expect(box.value).toBe("Hello, I am here to help.");
    await userEvent.type(box, " Let me check.");
    await userEvent.click(within(pane).getByTestId("reply-send"));
    await within(pane).findByText("Hello, I am here to help. Let me check.");
    expect(seen.find((s) => s.path === "/api/chat/conversations/12/messages")!.body).toEqual({ text: "Hello, I am here to help. Let me check." });
    expect(box.value).toBe("");

    await userEvent.click(within(pane).getByRole("button", { name: en["chat.resolve"] }));
    await userEvent.click(await screen.findByTestId("confirm"));
    await waitFor(() => expect(pane.getAttribute("data-state")).toBe("resolved"));
    expect(within(pane).queryByTestId("reply-form")).toBeNull();
  });

  it("says why a reply was refused (another agent holds it) and keeps the text", async () => {
    nav.current!.reset("/chat?state=agent&id=12");
    serve((req, url) => {
      if (url.pathname === "/api/auth/me") return { status: 200, body: me(["chatbot.view", "chatbot.handle"]) };
      if (url.pathname === "/api/chat/conversations") return { status: 200, body: page([]) };
      if (url.pathname === "/api/chat/canned") return { status: 200, body: { items: [] } };
      if (url.pathname === "/api/chat/conversations/12") return { status: 200, body: { ...conv({ state: "agent", assignee: { id: 9, email: "other@example.com" } }), messages: msgs } };
      if (url.pathname === "/api/chat/conversations/12/messages") return { status: 409, body: { status: "error", code: "CONFLICT", message: "x", details: { reason: "held_by_other" } } };
      return undefined;
    });
    wrap(<InboxScreen />);
    const pane = await screen.findByTestId("conversation");
    expect(within(pane).getByRole("button", { name: en["chat.takeOver"] })).toBeTruthy();
    await userEvent.type(within(pane).getByTestId("reply-text"), "Hi");
    await userEvent.click(within(pane).getByTestId("reply-send"));
    expect((await within(pane).findByTestId("conversation-alert")).textContent).toBe(en["chat.err.heldByOther"]);
    expect((within(pane).getByTestId("reply-text") as HTMLTextAreaElement).value).toBe("Hi");
  });

  it("shows a reader (chatbot.view only) the transcript without take, reply or resolve", async () => {
    nav.current!.reset("/chat?id=12");
    const seen = serve((req, url) => {
      if (url.pathname === "/api/auth/me") return { status: 200, body: me(["chatbot.view"]) };
      if (url.pathname === "/api/chat/conversations") return { status: 200, body: page([conv()]) };
      if (url.pathname === "/api/chat/conversations/12") return { status: 200, body: { ...conv(), messages: msgs } };
      return undefined;
    });
    wrap(<InboxScreen />);
    const pane = await screen.findByTestId("conversation");
    await within(pane).findByText("How much is shipping?");
    expect(within(pane).queryByRole("button", { name: en["chat.take"] })).toBeNull();
    expect(within(pane).queryByRole("button", { name: en["chat.resolve"] })).toBeNull();
    expect(within(pane).queryByTestId("reply-form")).toBeNull();
    expect(seen.some((s) => s.path === "/api/chat/canned")).toBe(false); // chatbot.handle or manage only
  });

  it("turns an agent's reply into an FAQ entry with the visitor's question before it (chatbot.manage)", async () => {
    nav.current!.reset("/chat?id=12");
    const reply = { id: 4, role: "agent", text: "Returns are free within 14 days.", sources: [], at, author: { id: 1, email: "agent@example.com" } };
    const seen = serve((req, url) => {
      if (url.pathname === "/api/auth/me") return { status: 200, body: me(["chatbot.view", "chatbot.manage"]) };
      if (url.pathname === "/api/chat/conversations") return { status: 200, body: page([]) };
      if (url.pathname === "/api/chat/canned") return { status: 200, body: { items: [] } };
      if (url.pathname === "/api/chat/conversations/12") return { status: 200, body: { ...conv({ state: "agent" }), messages: [...msgs, reply] } };
      if (url.pathname === "/api/chat/conversations/12/messages/4/faq") return { status: 201, body: { id: 30, lang: "en", question: "q", answer: reply.text, phrasings: [], created_by: null, created_at: at, updated_at: at } };
      return undefined;
    });
    wrap(<InboxScreen />);
    const pane = await screen.findByTestId("conversation");
    const buttons = await within(pane).findAllByRole("button", { name: en["chat.faq.make"] });
    expect(buttons).toHaveLength(1); // only on the agent's reply
    await userEvent.click(buttons[0]);
    const dialog = screen.getByTestId("to-faq-dialog");
    const q = within(dialog).getByTestId("to-faq-question") as HTMLTextAreaElement;
    expect(q.value).toBe("Can I talk to a person?");
    await userEvent.clear(q);
    await userEvent.type(q, "Are returns free?");
    await userEvent.click(within(dialog).getByTestId("to-faq-submit"));
    await screen.findByText(en["chat.faq.done"]);
    expect(seen.find((s) => s.path === "/api/chat/conversations/12/messages/4/faq")!.body).toEqual({ question: "Are returns free?" });
  });
});

describe("the unread badge", { timeout: 20_000 }, () => {
  it("shows the count with an accessible name and follows the chat event", async () => {
    let unread = { waiting: 1, messages: 3 };
    serve((req, url) => {
      if (url.pathname === "/api/auth/me") return { status: 200, body: me(["chatbot.view"]) };
      if (url.pathname === "/api/chat/unread") return { status: 200, body: unread };
      return undefined;
    });
    const client = wrap(<a href="/chat">Inbox <ChatUnreadBadge /></a>);
    expect((await screen.findByRole("link", { name: "Inbox 3 unread" })).querySelector("[data-count]")!.getAttribute("data-count")).toBe("3");
    unread = { waiting: 0, messages: 0 };
    await onResourceEvent(client, "chat");
    await waitFor(() => expect(screen.queryByTestId("chat-unread")).toBeNull());
  });

  it("asks nothing without chatbot.view", async () => {
    const seen = serve((req, url) => (url.pathname === "/api/auth/me" ? { status: 200, body: me(["orders.view"]) } : undefined));
    wrap(<ChatUnreadBadge />);
    await waitFor(() => expect(seen.some((s) => s.path === "/api/auth/me")).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.some((s) => s.path === "/api/chat/unread")).toBe(false);
  });
});

describe("the FAQ screen", { timeout: 20_000 }, () => {
  const faq = (id: number, question: string, lang = "en") => ({ id, lang, question, answer: `Answer to ${question}`, phrasings: ["other way"], created_by: null, created_at: at, updated_at: at });

  it("filters by language and search (both on the server), edits with If-Match and deletes after confirmation", async () => {
    nav.current!.reset("/faq");
    let items = [faq(1, "How much is shipping?"), faq(2, "Can I return an item?")];
    const seen = serve((req, url, body) => {
      const p = url.pathname;
      if (p === "/api/auth/me") return { status: 200, body: me(["chatbot.view", "chatbot.manage"]) };
      if (p === "/api/faq" && req.method === "GET") {
        // the server's search, as the test needs it: the word in the question
        const q = url.searchParams.get("q")?.toLowerCase() ?? "";
        return { status: 200, body: { ...page(items.filter((f) => f.question.toLowerCase().includes(q))), page_size: 100 } };
      }
      if (p === "/api/faq/2" && req.method === "GET") return { status: 200, body: items[1], etag: '"v2"' };
      if (p === "/api/faq/2" && req.method === "PATCH") {
        items = [items[0], { ...items[1], ...(body as object) }];
        return { status: 200, body: items[1], etag: '"v3"' };
      }
      if (p === "/api/faq/2" && req.method === "DELETE") {
        items = [items[0]];
        return { status: 204 };
      }
      return undefined;
    });
    wrap(<FaqScreen />);
    await screen.findByText("How much is shipping?");
    await userEvent.type(screen.getByLabelText(en["faq.search"]), "return");
    await waitFor(() => expect(screen.queryByText("How much is shipping?")).toBeNull());
    expect(nav.current!.url).toBe("/faq?q=return");
    expect(seen.some((s) => s.path === "/api/faq" && new URLSearchParams(s.search).get("q") === "return")).toBe(true);

    await userEvent.selectOptions(screen.getByLabelText(en["faq.f.lang"]), "en");
    await waitFor(() => expect(seen.some((s) => s.path === "/api/faq" && s.search.includes("lang=en"))).toBe(true));

    const row = screen.getByText("Can I return an item?").closest("tr")!;
    await userEvent.click(within(row).getByRole("button", { name: en["faq.edit"] }));
    const dialog = await screen.findByTestId("faq-dialog");
    const phrasings = within(dialog).getByLabelText(en["faq.f.phrasings"]);
    await userEvent.type(phrasings, "\n\nreturns policy\nother way");
    await userEvent.click(within(dialog).getByTestId("faq-submit"));
    await waitFor(() => expect(seen.some((s) => s.method === "PATCH")).toBe(true));
    const patch = seen.find((s) => s.method === "PATCH")!;
    expect(patch.ifMatch).toBe('"v2"');
    expect(patch.body).toMatchObject({ lang: "en", question: "Can I return an item?", phrasings: ["other way", "returns policy"] });

    await userEvent.click(within(screen.getByText("Can I return an item?").closest("tr")!).getByRole("button", { name: en["faq.delete"] }));
    await userEvent.click(await screen.findByTestId("confirm"));
    await waitFor(() => expect(seen.some((s) => s.method === "DELETE" && s.ifMatch === '"v2"')).toBe(true));
    await waitFor(() => expect(screen.queryByText("Can I return an item?")).toBeNull());
  });

  it("hides creating, editing, deleting and canned replies from a reader (chatbot.view only)", async () => {
    nav.current!.reset("/faq?tab=canned");
    const seen = serve((req, url) => {
      if (url.pathname === "/api/auth/me") return { status: 200, body: me(["chatbot.view"]) };
      if (url.pathname === "/api/faq") return { status: 200, body: page([faq(1, "How much is shipping?")]) };
      return undefined;
    });
    wrap(<FaqScreen />);
    await screen.findByText("How much is shipping?");
    expect(screen.queryByTestId("faq-new")).toBeNull();
    expect(screen.queryByRole("button", { name: en["faq.edit"] })).toBeNull();
    expect(screen.queryByTestId("faq-tabs")).toBeNull();
    expect(seen.some((s) => s.path === "/api/chat/canned")).toBe(false);
  });

  it("shows a refused field beside it (422) and keeps the dialog open", async () => {
    nav.current!.reset("/faq");
    serve((req, url) => {
      if (url.pathname === "/api/auth/me") return { status: 200, body: me(["chatbot.view", "chatbot.manage"]) };
      if (url.pathname === "/api/faq" && req.method === "GET") return { status: 200, body: page([]) };
      if (url.pathname === "/api/faq" && req.method === "POST") {
        return { status: 422, body: { status: "error", code: "VALIDATION_FAILED", message: "x", details: { fields: { question: "must be at most 500 characters" }, field_reasons: { question: "too_long" } } } };
      }
      return undefined;
    });
    wrap(<FaqScreen />);
    await userEvent.click(await screen.findByTestId("faq-new"));
    const dialog = screen.getByTestId("faq-dialog");
    await userEvent.type(within(dialog).getByLabelText(en["faq.f.question"]), "Q");
    await userEvent.type(within(dialog).getByLabelText(en["faq.f.answer"]), "A");
    await userEvent.click(within(dialog).getByTestId("faq-submit"));
    expect(await within(dialog).findByText(en["chat.err.tooLong"])).toBeTruthy();
    expect(within(dialog).getByTestId("faq-form-error").textContent).toBe(en["faq.err.invalid"]);
  });
});
