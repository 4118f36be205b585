import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { request } from "@/lib/api/request";
import type { ErrorCatalogue } from "@/lib/errors";
import type { Delivery, Page, Webhook, WebhookCreate, WebhookPatch, WebhookWithSecret } from "./types";

/** ["webhooks", …]: what the "webhooks" event invalidates (lib/events resourceKeys). The secret is never cached. */
export const webhookKeys = {
  all: ["webhooks"] as const,
  list: (page: number, pageSize: number) => ["webhooks", "list", page, pageSize] as const,
  detail: (id: number) => ["webhooks", "detail", id] as const,
  deliveries: (id: number, page: number) => ["webhooks", "deliveries", id, page] as const,
};

export const webhookPageSize = 20;

export const webhooksQuery = (page: number, pageSize = webhookPageSize) =>
  queryOptions({
    queryKey: webhookKeys.list(page, pageSize),
    queryFn: async ({ signal }) => (await request<Page<Webhook>>("GET", "/api/webhooks", { signal, query: { page, page_size: pageSize } })).data,
  });
export const useWebhooks = (page: number) => useQuery(webhooksQuery(page));

/** The webhook and its ETag, for an edit sent with If-Match. */
export const webhookQuery = (id: number) =>
  queryOptions({
    queryKey: webhookKeys.detail(id),
    queryFn: async ({ signal }) => {
      const { data, response } = await request<Webhook>("GET", `/api/webhooks/${id}`, { signal });
      return { webhook: data, etag: response.headers.get("ETag") ?? "" };
    },
  });

export const deliveriesQuery = (id: number, page: number) =>
  queryOptions({
    queryKey: webhookKeys.deliveries(id, page),
    queryFn: async ({ signal }) => (await request<Page<Delivery>>("GET", `/api/webhooks/${id}/deliveries`, { signal, query: { page, page_size: 20 } })).data,
  });

/** The delivery log, newest first; read again every few seconds while a delivery is still being tried. */
export const useDeliveries = (id: number, page: number) =>
  useQuery({ ...deliveriesQuery(id, page), refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === "pending") ? 5000 : false) });

/**
 * Creates a webhook. The answer holds the secret, shown once: it is returned
 * to the caller and kept nowhere else: never in the query cache, and the
 * mutation forgets it as soon as the caller resets it (gcTime 0).
 */
export function useCreateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    gcTime: 0,
    mutationFn: async (body: WebhookCreate) => (await request<WebhookWithSecret>("POST", "/api/webhooks", { body })).data,
    onSettled: () => qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

export function useUpdateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { id: number; body: WebhookPatch; etag: string }) =>
      (await request<Webhook>("PATCH", `/api/webhooks/${v.id}`, { body: v.body, headers: v.etag ? { "If-Match": v.etag } : {} })).data,
    onSettled: () => qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

export function useDeleteWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => void (await request<unknown>("DELETE", `/api/webhooks/${id}`)),
    onSettled: () => qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

/** A new secret, shown once like the first; the old one stops working at once. */
export function useRotateSecret() {
  const qc = useQueryClient();
  return useMutation({
    gcTime: 0,
    mutationFn: async (id: number) => (await request<WebhookWithSecret>("POST", `/api/webhooks/${id}/rotate-secret`)).data,
    onSettled: () => qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

/** Queues a "ping" delivery (202 with the delivery). */
export function useTestWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => (await request<Delivery>("POST", `/api/webhooks/${id}/test`)).data,
    onSettled: (_d, _e, id) => qc.invalidateQueries({ queryKey: ["webhooks", "deliveries", id] }),
  });
}

/** Why a webhook change was refused, in the user's words. */
export const webhookErrors: ErrorCatalogue = {
  codes: {
    PRECONDITION_FAILED: "webhooks.err.stale",
    NOT_FOUND: "webhooks.err.gone",
    VALIDATION_FAILED: "webhooks.err.invalid",
  },
};
