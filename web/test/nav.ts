import { useSyncExternalStore } from "react";

/**
 * next/navigation for tests: an in-memory URL that the hooks read and the
 * router changes, keeping each navigation as [mode, url].
 */
export function memoryNavigation(start: string) {
  let url = start;
  const listeners = new Set<() => void>();
  const calls: [string, string][] = [];
  const subscribe = (l: () => void) => {
    listeners.add(l);
    return () => void listeners.delete(l);
  };
  const go = (mode: string) => (u: string) => {
    calls.push([mode, u]);
    url = u;
    listeners.forEach((l) => l());
  };
  const router = { push: go("push"), replace: go("replace"), back: () => {}, forward: () => {}, refresh: () => {}, prefetch: () => {} };
  return {
    calls,
    get url() {
      return url;
    },
    reset(u: string) {
      url = u;
      calls.length = 0;
    },
    module: {
      useRouter: () => router,
      usePathname: () => useSyncExternalStore(subscribe, () => url).split("?")[0],
      useSearchParams: () => new URLSearchParams(useSyncExternalStore(subscribe, () => url).split("?")[1] ?? ""),
    },
  };
}
