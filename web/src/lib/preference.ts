import { useSyncExternalStore } from "react";

/**
 * A user preference kept in localStorage (language, theme): not data, so
 * not a cache. The static export renders with the fallback; the browser
 * then switches to the stored value without a hydration mismatch.
 */
export function createPreference<T extends string>(key: string, fallback: T, parse: (raw: string | null) => T) {
  const listeners = new Set<() => void>();
  const read = () => (typeof window === "undefined" ? fallback : parse(window.localStorage.getItem(key)));
  const subscribe = (l: () => void) => {
    listeners.add(l);
    const onStorage = (e: StorageEvent) => e.key === key && l();
    window.addEventListener("storage", onStorage);
    return () => {
      listeners.delete(l);
      window.removeEventListener("storage", onStorage);
    };
  };
  const set = (v: T) => {
    window.localStorage.setItem(key, v);
    listeners.forEach((l) => l());
  };
  const use = () => useSyncExternalStore(subscribe, read, () => fallback);
  return { use, set, read };
}
