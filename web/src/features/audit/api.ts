import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { dayStart } from "@/lib/day";
import type { MessageKey } from "@/lib/messages";
import type { UrlCodec } from "@/lib/urlState";

export type AuditEntry = Schemas["Entry"];
export type AuditChange = Schemas["Change"];
export type UserOption = Pick<Schemas["UserView"], "id" | "email" | "name">;

/** Actions and resource types the server records today, offered as suggestions (any value may be typed). */
export const knownActions = [
  "auth.login", "auth.login_failed", "auth.logout", "auth.password_change", "auth.password_change_failed",
  "auth.invite_accept", "auth.totp_enable", "auth.totp_disable", "auth.recovery_codes_regenerate",
  "orders.create", "orders.update_status", "users.create", "users.invite", "users.update",
  "roles.create", "roles.update", "roles.delete", "sessions.revoke", "tokens.create", "tokens.revoke",
  "users.totp_reset", "media.upload", "media.complete", "media.update", "media.delete", "media.rejected", "jobs.retry", "jobs.cancel",
  "chat.take", "chat.reply", "chat.resolve", "faq.create", "faq.update", "faq.delete", "chat.canned.create", "chat.canned.update", "chat.canned.delete",
] as const;

/** An action's name in the current language; one the app does not know yet shows as the server has it. */
export function actionLabel(t: (key: MessageKey) => string, action: string): string {
  return (knownActions as readonly string[]).includes(action) ? t(`audit.act.${action as (typeof knownActions)[number]}`) : action;
}
export const knownResourceTypes = ["order", "user", "role", "session", "api_token", "media", "job", "chat_conversation", "faq", "chat_canned"] as const;

/** A resource type's name in the current language; one the app does not know yet shows as the server has it. */
export function resourceTypeLabel(t: (key: MessageKey) => string, type: string): string {
  return (knownResourceTypes as readonly string[]).includes(type) ? t(`audit.res.${type as (typeof knownResourceTypes)[number]}`) : type;
}

/** The list filters, as kept in the URL. */
export type AuditFilters = {
  page: number;
  pageSize: number;
  actorId: string; // digits or ""
  action: string;
  resourceType: string;
  resourceId: string;
  from: string; // yyyy-mm-dd
  to: string; // yyyy-mm-dd, inclusive in the UI
};

export const defaultAuditFilters: AuditFilters = { page: 1, pageSize: 20, actorId: "", action: "", resourceType: "", resourceId: "", from: "", to: "" };

const pageSizes = [10, 20, 50, 100];

export function auditFiltersFromSearch(sp: URLSearchParams): AuditFilters {
  const int = (v: string | null, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);
  const day = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : "");
  const actor = sp.get("actor_id") ?? "";
  return {
    page: Math.max(1, int(sp.get("page"), 1)),
    pageSize: pageSizes.includes(int(sp.get("page_size"), 20)) ? int(sp.get("page_size"), 20) : 20,
    actorId: /^[1-9]\d{0,15}$/.test(actor) ? actor : "",
    action: (sp.get("action") ?? "").slice(0, 200),
    resourceType: (sp.get("resource_type") ?? "").slice(0, 200),
    resourceId: (sp.get("resource_id") ?? "").slice(0, 200),
    from: day(sp.get("from")),
    to: day(sp.get("to")),
  };
}

export function auditFiltersToSearch(f: AuditFilters): string {
  const sp = new URLSearchParams();
  if (f.page !== 1) sp.set("page", String(f.page));
  if (f.pageSize !== 20) sp.set("page_size", String(f.pageSize));
  if (f.actorId) sp.set("actor_id", f.actorId);
  if (f.action) sp.set("action", f.action);
  if (f.resourceType) sp.set("resource_type", f.resourceType);
  if (f.resourceId) sp.set("resource_id", f.resourceId);
  if (f.from) sp.set("from", f.from);
  if (f.to) sp.set("to", f.to);
  return sp.toString();
}

/** The API's filter parameters (shared by the list and the CSV export); "to" is exclusive there. */
/** The list's state in the URL (useUrlState). */
export const auditFiltersCodec: UrlCodec<AuditFilters> = { parse: auditFiltersFromSearch, serialize: auditFiltersToSearch };

export function auditApiFilters(f: AuditFilters) {
  return {
    actor_id: f.actorId ? Number(f.actorId) : undefined,
    action: f.action.trim() || undefined,
    resource_type: f.resourceType.trim() || undefined,
    resource_id: f.resourceId.trim() || undefined,
    from: dayStart(f.from),
    to: dayStart(f.to, 1),
  };
}

/** The CSV export's address with the same filters; a plain link downloads it (the cookie authenticates GET). */
export function auditExportHref(f: AuditFilters): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(auditApiFilters(f))) if (v !== undefined) sp.set(k, String(v));
  const qs = sp.toString();
  return "/api/audit-logs/export" + (qs ? "?" + qs : "");
}

export const auditKeys = {
  all: ["audit"] as const,
  list: (f: AuditFilters) => ["audit", "list", f] as const,
};

export const auditListQuery = (f: AuditFilters) =>
  queryOptions({
    queryKey: auditKeys.list(f),
    queryFn: async ({ signal }) => {
      const { data } = await unwrap(
        api.GET("/api/audit-logs", { signal, params: { query: { ...auditApiFilters(f), page: f.page, page_size: f.pageSize } } }),
      );
      return data;
    },
  });

export const useAuditLogs = (f: AuditFilters) => useQuery(auditListQuery(f));

/** Users matching a search, for the actor picker (users.view). */
export function useUserSearch(q: string, enabled: boolean) {
  return useQuery({
    queryKey: ["users", "picker", q],
    enabled,
    queryFn: async ({ signal }): Promise<UserOption[]> => {
      const { data } = await unwrap(api.GET("/api/users", { signal, params: { query: { q: q.trim() || undefined, page_size: 10 } } }));
      return data.items.map((u) => ({ id: u.id, email: u.email, name: u.name }));
    },
  });
}

/** One user, to name the actor a URL's actor_id points at. */
export function useUserById(id: number, enabled: boolean) {
  return useQuery({
    queryKey: ["users", "detail", id],
    enabled: enabled && id > 0,
    queryFn: async ({ signal }): Promise<UserOption> => {
      const { data } = await unwrap(api.GET("/api/users/{id}", { signal, params: { path: { id } } }));
      return { id: data.id, email: data.email, name: data.name };
    },
  });
}
