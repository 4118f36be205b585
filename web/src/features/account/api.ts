import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, setCsrfToken, unwrap, type Schemas } from "@/lib/api/client";
import { leaveTo } from "@/lib/query";
import type { UrlCodec } from "@/lib/urlState";
import { areaRank } from "@/features/roles";

export type Token = Schemas["Token"];
export type CreatedToken = Schemas["CreatedToken"];
export type CreateTokenInput = Schemas["CreateTokenInput"];
export type Session = Schemas["SessionView"];
export type PermissionInfo = Schemas["Described"];

export const tokenKeys = {
  all: ["tokens"] as const,
  list: (page: number) => ["tokens", "list", page] as const,
};
export const sessionKeys = {
  all: ["sessions"] as const,
  list: (all: boolean, page: number) => ["sessions", "list", { all, page }] as const,
};

/** The account page's state kept in the URL: each table's page and the "all users" toggle. */
export type AccountView = { tokensPage: number; sessionsPage: number; all: boolean };

export function accountViewFromSearch(sp: URLSearchParams): AccountView {
  const page = (v: string | null) => (v && /^[1-9]\d{0,5}$/.test(v) ? Number(v) : 1);
  return { tokensPage: page(sp.get("tokens_page")), sessionsPage: page(sp.get("sessions_page")), all: sp.get("all") === "1" };
}

export function accountViewToSearch(v: AccountView): string {
  const sp = new URLSearchParams();
  if (v.tokensPage !== 1) sp.set("tokens_page", String(v.tokensPage));
  if (v.all) sp.set("all", "1");
  if (v.sessionsPage !== 1) sp.set("sessions_page", String(v.sessionsPage));
  return sp.toString();
}

// ---- API tokens ----

/** The page's state in the URL (useUrlState). */
export const accountViewCodec: UrlCodec<AccountView> = { parse: accountViewFromSearch, serialize: accountViewToSearch };

export type TokenStatus = "active" | "expired" | "revoked";

export function tokenStatus(t: Pick<Token, "revoked_at" | "expires_at">, now = new Date()): TokenStatus {
  if (t.revoked_at) return "revoked";
  return new Date(t.expires_at).getTime() <= now.getTime() ? "expired" : "active";
}

/** The caller's tokens, newest first; revoked and expired ones included. */
export function useTokens(page: number) {
  return useQuery({
    queryKey: tokenKeys.list(page),
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/tokens", { signal, params: { query: { page, page_size: 20 } } }))).data,
  });
}

/** Creates a token; the answer holds its secret, which nothing keeps but the caller. */
export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateTokenInput) => (await unwrap(api.POST("/api/tokens", { body }))).data,
    onSuccess: () => qc.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => {
      await unwrap(api.DELETE("/api/tokens/{id}", { params: { path: { id } } }));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

/** The server's limit on a token's lifetime, in days. */
export const maxTokenDays = 366;
export const defaultTokenDays = 30;

const pad = (n: number) => String(n).padStart(2, "0");
/** A Date's local calendar day as yyyy-mm-dd (what <input type="date"> holds). */
export function localDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
export function addDays(d: Date, days: number): Date {
  const out = new Date(d);
  out.setDate(out.getDate() + days);
  return out;
}

/** The days an expiry may fall on: from tomorrow to 366 days ahead; 30 days ahead by default. */
export function expiryBounds(now = new Date()) {
  return { min: localDay(addDays(now, 1)), max: localDay(addDays(now, maxTokenDays)), initial: localDay(addDays(now, defaultTokenDays)) };
}

/**
 * The instant a token picked to expire on `day` stops working: that day at
 * the current time of day (so "30 days" is 30 days), kept inside the
 * server's window (in the future, at most 366 days ahead) whatever a
 * daylight-saving shift does. undefined for a day that is not yyyy-mm-dd.
 */
export function expiryInstant(day: string, now = new Date()): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const d = new Date(now);
  d.setFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(d.getTime())) return undefined;
  const minute = 60_000;
  const latest = now.getTime() + maxTokenDays * 24 * 60 * minute - minute;
  return new Date(Math.max(now.getTime() + minute, Math.min(d.getTime(), latest)));
}

/** The permissions a user holds, grouped by area in the one area order (roles' catalogue), with descriptions. */
export function groupPermissions(catalogue: PermissionInfo[], held: string[]): { area: string; items: PermissionInfo[] }[] {
  const have = new Set(held);
  const known = new Set(catalogue.map((p) => p.name));
  const list = [
    ...catalogue.filter((p) => have.has(p.name)),
    // held but not (yet) described: still offered, without a description
    ...held.filter((p) => !known.has(p)).sort().map((name) => ({ name, area: name.split(".")[0], description: "" })),
  ];
  const groups = new Map<string, PermissionInfo[]>();
  for (const p of list) groups.set(p.area, [...(groups.get(p.area) ?? []), p]);
  return [...groups].map(([area, items]) => ({ area, items })).sort((a, b) => areaRank(a.area) - areaRank(b.area) || a.area.localeCompare(b.area));
}

/** "permissions[2]" and "permissions" (the server's names) are both the form's permission list. */
export function tokenFieldOf(serverField: string): "name" | "permissions" | "expires" | undefined {
  if (serverField === "name") return "name";
  if (serverField === "expires_at") return "expires";
  if (/^permissions(\[\d+\])?$/.test(serverField)) return "permissions";
  return undefined;
}

// ---- sessions ----

/** Live sessions: the caller's, or with users.manage everyone's (all). */
export function useSessions(all: boolean, page: number, enabled = true) {
  return useQuery({
    queryKey: sessionKeys.list(all, page),
    enabled,
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/sessions", { signal, params: { query: { all: all || undefined, page, page_size: 20 } } }))).data,
  });
}

/** Ends a session; ending the caller's own logs them out (to the login page, like logging out). */
export function useRevokeSession() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (s: Pick<Session, "id" | "current">) => {
      await unwrap(api.DELETE("/api/sessions/{id}", { params: { path: { id: s.id } } }));
    },
    onSuccess: (_, s) => {
      if (!s.current) return;
      setCsrfToken("");
      qc.clear();
      leaveTo("/login");
    },
    onSettled: (_, err, s) => (err || !s.current ? qc.invalidateQueries({ queryKey: sessionKeys.all }) : undefined),
  });
}

/** A user agent in a few readable words: browser (major version) and system. */
export function describeUserAgent(ua: string): { browser: string; os: string } {
  const v = (re: RegExp) => re.exec(ua)?.[1];
  const browsers: [RegExp, string][] = [
    [/Edg(?:e|A|iOS)?\/(\d+)/, "Edge"],
    [/OPR\/(\d+)/, "Opera"],
    [/SamsungBrowser\/(\d+)/, "Samsung Internet"],
    [/(?:Firefox|FxiOS)\/(\d+)/, "Firefox"],
    [/HeadlessChrome\/(\d+)/, "Headless Chrome"],
    [/(?:Chrome|CriOS|Chromium)\/(\d+)/, "Chrome"],
    [/Version\/(\d+)(?:[.\d]*)? (?:Mobile\/\S+ )?Safari\//, "Safari"],
    [/^curl\/(\d+(?:\.\d+)?)/, "curl"],
    [/^Wget\/(\d+(?:\.\d+)?)/, "Wget"],
    [/^python-requests\/(\d+(?:\.\d+)?)/, "Python requests"],
    [/^Python-urllib\/(\d+(?:\.\d+)?)/, "Python"],
    [/^Go-http-client\/(\d+(?:\.\d+)?)/, "Go"],
    [/^PostmanRuntime\/(\d+(?:\.\d+)?)/, "Postman"],
    [/^node(?:-fetch)?(?:\/(\d+))?/, "Node.js"],
    [/^undici(?:\/(\d+))?/, "Node.js"],
  ];
  let browser = "";
  for (const [re, name] of browsers) {
    if (re.test(ua)) {
      const ver = v(re);
      browser = ver ? `${name} ${ver}` : name;
      break;
    }
  }
  const systems: [RegExp, string][] = [
    [/iPhone/, "iPhone"],
    [/iPad/, "iPad"],
    [/Android/, "Android"],
    [/CrOS/, "ChromeOS"],
    [/Windows/, "Windows"],
    [/Mac OS X|Macintosh/, "macOS"],
    [/Linux|X11/, "Linux"],
  ];
  const os = systems.find(([re]) => re.test(ua))?.[1] ?? "";
  return { browser, os };
}

// ---- password ----

export function useChangePassword() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: { current_password: string; new_password: string }) => {
      await unwrap(api.POST("/api/auth/password", { body }));
    },
    // the server ended the other sessions
    onSuccess: () => qc.invalidateQueries({ queryKey: sessionKeys.all }),
  });
}
