import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import type { ErrorCatalogue } from "@/lib/errors";
import type { ChatLang, ChatState } from "./logic";

export type Conversation = Schemas["Conversation"];
export type ConversationDetail = Schemas["ConversationDetail"];
export type PanelMessage = Schemas["PanelMessage"];
export type ChatSource = Schemas["Source"];
export type Unread = Schemas["Unread"];
export type Faq = Schemas["FAQ"];
export type FaqInput = Schemas["FAQInput"];
export type FaqPatch = Schemas["FAQPatch"];
export type Canned = Schemas["Canned"];
export type CannedInput = Schemas["CannedInput"];

/**
 * Query keys by the event resource that invalidates them (lib/events
 * resourceKeys): "chat" (conversations, transcripts, the unread badge),
 * "faq" (entries) and "chat_canned" (canned replies).
 */
export const chatKeys = {
  all: ["chat"] as const,
  list: (state: ChatState, page: number) => ["chat", "list", state, page] as const,
  detail: (id: number) => ["chat", "detail", id] as const,
  unread: ["chat", "unread"] as const,
};
export const faqKeys = {
  all: ["faq"] as const,
  list: (lang: string, q: string, page: number) => ["faq", "list", lang, q, page] as const,
  detail: (id: number) => ["faq", "detail", id] as const,
};
export const cannedKeys = { all: ["chat_canned"] as const };

export const inboxPageSize = 20;
/** The FAQ screen's page size. */
export const faqPageSize = 100;

export const conversationsQuery = (state: ChatState, page: number) =>
  queryOptions({
    queryKey: chatKeys.list(state, page),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/chat/conversations", { signal, params: { query: { state, page, page_size: inboxPageSize } } }))).data,
    placeholderData: keepPreviousData,
  });
export const useConversations = (state: ChatState, page: number) => useQuery(conversationsQuery(state, page));

export const conversationQuery = (id: number) =>
  queryOptions({
    queryKey: chatKeys.detail(id),
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/chat/conversations/{id}", { signal, params: { path: { id } } }))).data,
  });
export const useConversation = (id: number) => useQuery({ ...conversationQuery(id), enabled: id > 0 });

/** The sidebar's badge; the "chat" event reads it again. */
export const unreadQuery = queryOptions({
  queryKey: chatKeys.unread,
  queryFn: async ({ signal }) => (await unwrap(api.GET("/api/chat/unread", { signal }))).data,
});
export const useUnread = (enabled: boolean) => useQuery({ ...unreadQuery, enabled });

export const cannedQuery = queryOptions({
  queryKey: cannedKeys.all,
  queryFn: async ({ signal }) => (await unwrap(api.GET("/api/chat/canned", { signal }))).data.items,
});
export const useCanned = (enabled: boolean) => useQuery({ ...cannedQuery, enabled });

/** FAQ entries; q is matched by the server as the bot matches visitors' questions. */
export const faqListQuery = (lang: "" | ChatLang, q: string, page: number) =>
  queryOptions({
    queryKey: faqKeys.list(lang, q, page),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/faq", { signal, params: { query: { lang: lang || undefined, q: q || undefined, page, page_size: faqPageSize } } }))).data,
    placeholderData: keepPreviousData,
  });
export const useFaqList = (lang: "" | ChatLang, q: string, page: number) => useQuery(faqListQuery(lang, q, page));

/** An entry and its ETag, for an edit or delete sent with If-Match. */
export const faqQuery = (id: number) =>
  queryOptions({
    queryKey: faqKeys.detail(id),
    queryFn: async ({ signal }) => {
      const { data, response } = await unwrap(api.GET("/api/faq/{id}", { signal, params: { path: { id } } }));
      return { faq: data, etag: response.headers.get("ETag") ?? "" };
    },
  });

/**
 * A conversation action (take, reply, resolve). It settles with the
 * server's answer, not after the lists are read again (a sent reply leaves
 * its box at once); the chat queries are refreshed alongside, as the
 * "chat" event would.
 */
function useConversationAction<V>(fn: (v: V) => Promise<unknown>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSettled: () => void qc.invalidateQueries({ queryKey: chatKeys.all }) });
}

export const useTake = () =>
  useConversationAction(async (id: number) => (await unwrap(api.POST("/api/chat/conversations/{id}/take", { params: { path: { id } } }))).data);
export const useResolve = () =>
  useConversationAction(async (id: number) => (await unwrap(api.POST("/api/chat/conversations/{id}/resolve", { params: { path: { id } } }))).data);
export const useReply = () =>
  useConversationAction(async (v: { id: number; text: string }) =>
    (await unwrap(api.POST("/api/chat/conversations/{id}/messages", { params: { path: { id: v.id } }, body: { text: v.text } }))).data);

/** An agent's reply becomes an FAQ entry (the question: given, or the visitor's message before it). */
export function useReplyToFaq() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { conversation: number; message: number; question?: string }) =>
      (await unwrap(api.POST("/api/chat/conversations/{id}/messages/{message_id}/faq", { params: { path: { id: v.conversation, message_id: v.message } }, body: v.question ? { question: v.question } : {} }))).data,
    onSettled: () => qc.invalidateQueries({ queryKey: faqKeys.all }),
  });
}

export function useSaveFaq() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { id: number | null; body: FaqInput; etag: string }) =>
      v.id === null
        ? (await unwrap(api.POST("/api/faq", { body: v.body }))).data
        : (await unwrap(api.PATCH("/api/faq/{id}", { params: { path: { id: v.id }, header: v.etag ? { "If-Match": v.etag } : {} }, body: v.body satisfies FaqPatch }))).data,
    onSettled: () => qc.invalidateQueries({ queryKey: faqKeys.all }),
  });
}

export function useDeleteFaq() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { id: number; etag: string }) => void (await unwrap(api.DELETE("/api/faq/{id}", { params: { path: { id: v.id }, header: v.etag ? { "If-Match": v.etag } : {} } }))),
    onSettled: () => qc.invalidateQueries({ queryKey: faqKeys.all }),
  });
}

export function useSaveCanned() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { id: number | null; body: CannedInput }) =>
      v.id === null
        ? (await unwrap(api.POST("/api/chat/canned", { body: v.body }))).data
        : (await unwrap(api.PUT("/api/chat/canned/{id}", { params: { path: { id: v.id } }, body: v.body }))).data,
    onSettled: () => qc.invalidateQueries({ queryKey: cannedKeys.all }),
  });
}

export function useDeleteCanned() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => void (await unwrap(api.DELETE("/api/chat/canned/{id}", { params: { path: { id } } }))),
    onSettled: () => qc.invalidateQueries({ queryKey: cannedKeys.all }),
  });
}

/** Why an inbox action was refused, by the contract's names. */
export const chatErrors: ErrorCatalogue = {
  reasons: {
    held_by_other: "chat.err.heldByOther",
    conversation_resolved: "chat.err.resolved",
  },
  codes: {
    INVALID_TRANSITION: "chat.err.transition",
    NOT_FOUND: "chat.err.gone",
    CONFLICT: "chat.err.transition",
    VALIDATION_FAILED: "chat.err.invalid",
  },
  fieldReasons: { required: "chat.err.required", too_long: "chat.err.tooLong", not_agent_reply: "chat.err.notAgentReply" },
};

/** Why an FAQ or canned reply change was refused. */
export const faqErrors: ErrorCatalogue = {
  codes: {
    PRECONDITION_FAILED: "faq.err.stale",
    NOT_FOUND: "faq.err.gone",
    VALIDATION_FAILED: "faq.err.invalid",
  },
  fieldReasons: { required: "chat.err.required", too_long: "chat.err.tooLong" },
};
