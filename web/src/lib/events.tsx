"use client";
import { useQueryClient, type InvalidateQueryFilters, type QueryClient } from "@tanstack/react-query";
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
 * One EventSource on /api/events for the whole app. Each event invalidates
 * the queries of its resource, so every open screen refetches; on error it
 * reconnects with exponential backoff (1 s doubling to 30 s).
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
        // anything may have changed while we were away
        void qc.invalidateQueries();
      };
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
