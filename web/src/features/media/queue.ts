"use client";
import type { QueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { getCsrfToken } from "@/lib/api/client";
import { completeUpload, mediaKeys, requestUpload } from "./api";
import { isActive, nextToStart, sendBytes, toUploadError, uploadReducer, type UploadAction, type UploadItem, type UploadStep } from "./upload";

/**
 * The one upload queue of the tab. It lives outside React, so uploads go on
 * while the user opens an item and comes back; a full page load ends them
 * (the page warns first).
 */
let items: UploadItem[] = [];
const listeners = new Set<() => void>();
const aborts = new Map<string, { abort: () => void }>();
let queryClient: QueryClient | null = null;
let seq = 0;

function dispatch(a: UploadAction) {
  const next = uploadReducer(items, a);
  if (next === items) return;
  items = next;
  listeners.forEach((l) => l());
}

/** Starts queued uploads while fewer than maxParallel run. */
function pump() {
  for (const i of nextToStart(items)) {
    if (aborts.has(i.key)) continue;
    dispatch({ type: "start", key: i.key, step: i.resume });
    void run(i, i.resume);
  }
}

const refresh = () => void queryClient?.invalidateQueries({ queryKey: mediaKeys.all });

async function run(item: UploadItem, from: UploadStep) {
  const ac = new AbortController();
  const handle = { abort: () => ac.abort() };
  aborts.set(item.key, handle);
  let step = from;
  let mediaId = item.mediaId;
  let signed = item.signed;
  try {
    if (step === "request") {
      const r = await requestUpload(item.file, ac.signal);
      mediaId = r.media.id;
      signed = r.upload;
      dispatch({ type: "requested", key: item.key, media: r.media, signed: r.upload });
      refresh();
      step = "send";
    }
    if (step === "send" && signed) {
      const s = sendBytes(item.file, signed, getCsrfToken(), (loaded, total) => dispatch({ type: "progress", key: item.key, loaded, total }));
      handle.abort = s.abort;
      await s.done;
      dispatch({ type: "sent", key: item.key });
      step = "complete";
    }
    if (step === "complete" && mediaId) {
      handle.abort = () => ac.abort();
      const media = await completeUpload(mediaId, ac.signal);
      dispatch({ type: "completed", key: item.key, media });
      refresh();
    }
  } catch (e) {
    // a cancelled upload was already marked so
    if (!ac.signal.aborted && toUploadError(e).code !== "ABORTED") dispatch({ type: "failed", key: item.key, step, error: toUploadError(e) });
  } finally {
    if (aborts.get(item.key) === handle) aborts.delete(item.key);
    pump();
  }
}

export const uploadQueue = {
  add(files: Iterable<File>) {
    const list = [...files].map((file) => ({ key: `u${++seq}`, file }));
    if (list.length) dispatch({ type: "add", items: list });
    pump();
  },
  cancel(key: string) {
    dispatch({ type: "cancel", key });
    const run = aborts.get(key);
    aborts.delete(key);
    run?.abort();
    pump();
  },
  retry(key: string) {
    dispatch({ type: "retry", key, now: Date.now() });
    pump();
  },
  remove: (key: string) => dispatch({ type: "remove", key }),
  clear: () => dispatch({ type: "clear" }),
};

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const snapshot = () => items;
const empty: UploadItem[] = [];

/** The queue's items; while any is running, leaving the page asks first. */
export function useUploadQueue(qc: QueryClient): UploadItem[] {
  const list = useSyncExternalStore(subscribe, snapshot, () => empty);
  useEffect(() => {
    queryClient = qc;
  }, [qc]);
  const busy = list.some((i) => isActive(i) || i.phase === "queued");
  useEffect(() => {
    if (!busy) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [busy]);
  return list;
}
