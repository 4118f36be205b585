"use client";
import { useQueryClient, type InvalidateQueryFilters, type Query, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

export type LiveState = "connecting" | "live" | "offline";
const Ctx = createContext<LiveState>("connecting");

/**
 * Resources the server announces, and the query keys each invalidates:
 * an order write changes the statistics too (the server also sends "stats",
 * but the dashboard need not wait for it). "sessions" and "tokens" reach
 * only the user whose sessions or API tokens changed (and, for sessions,
 * users.manage holders); their keys are the account screen's sessionKeys
 * and tokenKeys.
 */
export const resourceKeys: Record<string, readonly (readonly string[])[]> = {
  orders: [["orders"], ["stats"]],
  stats: [["stats"]],
  jobs: [["jobs"]],
  media: [["media"]],
  sessions: [["sessions"]],
  tokens: [["tokens"]],
  // content wave (webui-lists): the posts list and editor, the portfolio, webhooks
  posts: [["posts"]],
  projects: [["projects"]],
  webhooks: [["webhooks"]],
  // the website chatbot: conversations, transcripts and the unread badge; FAQ entries; canned replies
  chat: [["chat"]],
  faq: [["faq"]],
  chat_canned: [["chat_canned"]],
};

/**
 * Invalidates the queries that match, so the open ones fetch again. An
 * open query's fetch in flight is cancelled first: invalidateQueries alone
 * restarts a fetch only when the query already has data (cancelRefetch) and
 * reuses a first fetch, which may have read the server before the write the
 * event announces.
 */
async function refresh(qc: QueryClient, filters: InvalidateQueryFilters) {
  await qc.cancelQueries({ ...filters, type: "active" });
  await qc.invalidateQueries(filters);
}

/** Invalidates the queries an event of this resource touches. */
export async function onResourceEvent(qc: QueryClient, resource: string) {
  await Promise.all((resourceKeys[resource] ?? []).map((queryKey) => refresh(qc, { queryKey })));
}

/** What an "authz" event (users, roles or permissions changed) invalidates; ["auth", "me"] is useMe's key. */
export const authzKeys = [["auth", "me"], ["users"], ["roles"], ["permissions"]] as const;

/**
 * Users, roles or permissions changed somewhere: who this user is and what
 * they may do is asked again (menus and buttons follow the answer), with the
 * users and roles lists. When the user's own access changed, every other
 * open query is refetched as well, since what the server shows them
 * (masked fields, whole screens) may differ now.
 */
export async function onAuthzEvent(qc: QueryClient) {
  const access = () => {
    const me = qc.getQueryData<{ is_superuser?: boolean; permissions?: string[]; totp_setup_required?: boolean }>(authzKeys[0]);
    return me ? JSON.stringify([me.is_superuser, [...(me.permissions ?? [])].sort(), me.totp_setup_required]) : "";
  };
  const before = access();
  await Promise.all(authzKeys.map((queryKey) => refresh(qc, { queryKey })));
  if (access() !== before) await refresh(qc, { predicate: (q) => !authzKeys.some((k) => k.every((part, i) => q.queryKey[i] === part)) });
}

/**
 * Closing the gap between a screen's first read and the stream's connection.
 *
 * A query may read the server before the stream subscribes (every query of
 * a first page load, every query after the stream dropped); an event
 * published in between never arrives. Refetching everything on each open
 * would double every page load, and would still reuse a first fetch in
 * flight. Instead the server's first event on every stream, "hello", lists
 * the events of the last minutes this user may see with their age
 * (`age_ms`), and how far back that list is complete (`complete_ms`). On
 * hello, a query is refetched (an in-flight fetch cancelled first) only if
 * - an event of a resource that touches it is younger than the query's
 *   fetch (plus a margin): the fetch may have read the server before it, or
 * - its fetch is older than what the list covers (a long outage, a server
 *   that just started), or its fetch start is unknown.
 * Ages are durations, each measured on one clock (the event's receipt on the
 * server, the fetch's start here), so the two clocks need not agree; the
 * event's delivery delay only makes the test more cautious. A query fetched
 * after the stream opened is never refetched by hello: every later write
 * reaches it as an event.
 */
export type Hello = { recent: { resource: string; age_ms: number }[]; complete_ms: number };

/** Slack added to a fetch's age when comparing it with an event's. */
export const helloMarginMs = 500;

const fetchStarts = new WeakMap<Query, number>();
const watched = new WeakSet<QueryClient>();
const now = () => performance.now();

/** Records when each query's fetches start (makeQueryClient calls it for the app's client). */
export function watchFetches(qc: QueryClient) {
  if (watched.has(qc)) return;
  watched.add(qc);
  qc.getQueryCache().subscribe((e) => {
    if (e.type === "updated" && e.action.type === "fetch") fetchStarts.set(e.query, now());
  });
}

const keyMatches = (prefix: readonly string[], key: QueryKey) => prefix.every((part, i) => key[i] === part);

/** The query keys an event of resource touches ("authz" included). */
function touches(resource: string, key: QueryKey) {
  const keys = resource === "authz" ? authzKeys : resourceKeys[resource];
  return (keys ?? []).some((k) => keyMatches(k, key));
}

/** Acts on a hello received at `at` (performance.now()); see above. */
export async function onHello(qc: QueryClient, hello: Hello, at = now()) {
  const stale = (q: Query) => {
    const { dataUpdatedAt, errorUpdatedAt, fetchStatus } = q.state;
    if (dataUpdatedAt === 0 && errorUpdatedAt === 0 && fetchStatus === "idle") return false; // never fetched: nothing to redo
    const started = fetchStarts.get(q);
    if (started === undefined) return true;
    const age = at - started + helloMarginMs;
    return age >= hello.complete_ms || hello.recent.some((r) => r.age_ms <= age && touches(r.resource, q.queryKey));
  };
  const queries = qc.getQueryCache().findAll().filter(stale);
  const isAuthz = (q: Query) => touches("authz", q.queryKey);
  await Promise.all([
    ...queries.filter((q) => !isAuthz(q)).map((q) => refresh(qc, { queryKey: q.queryKey, exact: true })),
    // who the user is goes through onAuthzEvent, which refetches everything if their access changed
    ...(queries.some(isAuthz) ? [onAuthzEvent(qc)] : []),
  ]);
}

/**
 * One EventSource on /api/events for the whole app. Each event invalidates
 * the queries of its resource, so every open screen refetches; the first,
 * "hello", refetches what may have changed before the stream connected
 * (see onHello); on error it reconnects with exponential backoff (1 s
 * doubling to 30 s).
 */
export function LiveEvents({ children, enabled }: { children: ReactNode; enabled: boolean }) {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>("connecting");
  useEffect(() => {
    if (!enabled) return;
    let es: EventSource | null = null;
    let delay = 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const connect = () => {
      setState("connecting");
      es = new EventSource("/api/events");
      es.onopen = () => {
        delay = 1000;
        setState("live");
      };
      es.addEventListener("hello", (e) => {
        let hello: Hello;
        try {
          hello = JSON.parse((e as MessageEvent<string>).data) as Hello;
        } catch {
          hello = { recent: [], complete_ms: 0 }; // unreadable: everything may have changed
        }
        void onHello(qc, hello);
      });
      for (const r of Object.keys(resourceKeys)) es.addEventListener(r, () => void onResourceEvent(qc, r));
      es.addEventListener("authz", () => void onAuthzEvent(qc));
      es.onerror = () => {
        es?.close();
        setState("offline");
        if (stopped) return;
        // the server ends the stream of a session that ended (deactivated, logged out elsewhere):
        // asking who we are sends such a user to the login page instead of leaving a stale screen
        void qc.invalidateQueries({ queryKey: authzKeys[0] });
        timer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30_000);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      es?.close();
    };
  }, [enabled, qc]);
  return <Ctx.Provider value={state}>{children}</Ctx.Provider>;
}

export const useLiveState = () => useContext(Ctx);
