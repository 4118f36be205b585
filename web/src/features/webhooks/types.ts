/**
 * The webhooks' request and response shapes.
 *
 * Mirrors API.md §8 until the generated schema has them (and the webhooks
 * lane's model: secret_hint, the create/rotate answers with the secret shown
 * once, the delivery log's fields); the integrator swaps these for
 * components["schemas"] names once the routes are in web/openapi.json.
 */

/** The events a webhook may subscribe to; none means every one. */
export const webhookEvents = [
  "post.published", "post.updated", "post.unpublished", "post.deleted",
  "project.published", "project.updated", "project.unpublished", "project.deleted",
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

/** A webhook as GET /api/webhooks lists it. Its secret is never in it: secret_hint only ("whsec_…a1b2"). */
export type Webhook = {
  id: number;
  url: string;
  description: string;
  /** [] means every event */
  events: string[];
  active: boolean;
  secret_hint: string;
  created_by: { id: number; email: string } | null;
  created_at: string;
  updated_at: string;
};

/** POST /api/webhooks and POST /api/webhooks/{id}/rotate-secret: the webhook and its new secret, this once. */
export type WebhookWithSecret = Webhook & { secret: string };

/** POST /api/webhooks's body. */
export type WebhookCreate = { url: string; description: string; events: string[]; active?: boolean };
/** PATCH /api/webhooks/{id}'s body (If-Match): the fields given are changed. */
export type WebhookPatch = Partial<WebhookCreate>;

export type DeliveryStatus = "pending" | "succeeded" | "failed";

/** One event sent (or being sent) to a webhook, with its latest attempt. */
export type Delivery = {
  id: number;
  webhook_id: number;
  /** the X-Pishkhan-Delivery header */
  delivery_id: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  /** the latest attempt's HTTP status; null before the first or when nothing answered */
  response_code: number | null;
  response_excerpt: string;
  error: string;
  duration_ms: number;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
};

export type Page<T> = { items: T[]; page: number; page_size: number; total: number; total_pages: number };
