"use client";
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

export type LiveState = "connecting" | "live" | "offline";
const Ctx = createContext<LiveState>("connecting");

/** Resources the server announces, and the query keys each invalidates. */
const resources = ["orders"] as const;

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
      for (const r of resources) es.addEventListener(r, () => void qc.invalidateQueries({ queryKey: [r] }));
      es.onerror = () => {
        es?.close();
        setState("offline");
        if (stopped) return;
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
