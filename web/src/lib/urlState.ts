"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

/**
 * How a screen's state is written in the URL query: parse accepts any query
 * (unknown or bad values fall back to defaults, never throw), serialize
 * leaves defaults out, so a default state is the bare path.
 */
export type UrlCodec<T> = {
  parse: (sp: URLSearchParams) => T;
  serialize: (value: T) => string;
};

/**
 * A list screen's filters, sort and page, kept in the URL query and nowhere
 * else. Changing a filter replaces the history entry (typing does not fill
 * the back button) and returns to page 1; changing the page pushes one, so
 * Back returns to the previous page. The scroll position is kept.
 */
export function useUrlState<T extends object>(codec: UrlCodec<T>) {
  const router = useRouter();
  const pathname = usePathname();
  const sp = useSearchParams();
  const query = sp.toString();
  const state = useMemo(() => codec.parse(new URLSearchParams(query)), [codec, query]);
  // what the URL is about to say: two changes in quick succession both count
  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  }, [state]);

  const navigate = useCallback(
    (next: T, mode: "push" | "replace") => {
      latest.current = next;
      const qs = codec.serialize(next);
      const url = qs ? `${pathname}?${qs}` : pathname;
      if (mode === "push") router.push(url, { scroll: false });
      else router.replace(url, { scroll: false });
    },
    [codec, pathname, router],
  );

  /** Applies a filter change; the page goes back to 1 unless keepPage (e.g. a change of view). */
  const update = useCallback(
    (patch: Partial<T>, opts: { keepPage?: boolean } = {}) => {
      const next = { ...latest.current, ...patch };
      if (!opts.keepPage && !("page" in patch) && "page" in next) Object.assign(next, { page: 1 });
      navigate(next, "replace");
    },
    [navigate],
  );

  /** Moves to another page of the same list, as a new history entry. */
  const setPage = useCallback((page: number) => navigate({ ...latest.current, page }, "push"), [navigate]);

  /** Drops every filter, keeping only what is given (e.g. the view). */
  const reset = useCallback((keep: Partial<T> = {}) => navigate({ ...codec.parse(new URLSearchParams()), ...keep }, "replace"), [codec, navigate]);

  /** Whether anything but the page and what is given differs from the defaults. */
  const isFiltered = useCallback(
    (ignore: Partial<T> = {}) => {
      const base = codec.parse(new URLSearchParams());
      const page = "page" in base ? { page: base.page } : {};
      return codec.serialize({ ...state, ...ignore, ...page }) !== codec.serialize({ ...base, ...ignore });
    },
    [codec, state],
  );

  return { state, update, setPage, reset, isFiltered };
}

/**
 * The text a user is typing into a filter, applied after a short pause (or
 * at once with flush, e.g. on Enter) and only once complete: a value
 * complete() refuses stays in the field without being applied. A new applied
 * value (Back, clear) replaces what is typed.
 */
export function useDraft<V>(applied: V, apply: (v: V) => void, opts: { delay?: number; complete?: (v: V) => boolean } = {}) {
  const { delay = 350, complete } = opts;
  const [draft, setDraft] = useState(applied);
  const last = useRef(applied);
  useEffect(() => {
    if (!Object.is(last.current, applied)) {
      last.current = applied;
      setDraft(applied);
    }
  }, [applied]);
  const applyRef = useRef(apply);
  useEffect(() => {
    applyRef.current = apply;
  });
  const ready = (v: V) => !Object.is(v, last.current) && (!complete || complete(v));
  useEffect(() => {
    if (!ready(draft)) return;
    const h = setTimeout(() => {
      if (!ready(draft)) return; // applied meanwhile (flush)
      last.current = draft;
      applyRef.current(draft);
    }, delay);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft, delay]);
  const flush = () => {
    if (!ready(draft)) return;
    last.current = draft;
    applyRef.current(draft);
  };
  return [draft, setDraft, flush] as const;
}

/**
 * Whether a date field's value may be applied: empty (no filter) or a whole
 * yyyy-mm-dd day with a four-digit year. A date input reports 0002-11-15
 * after the first digit of the year; that is not applied.
 */
export function completeDay(v: string): boolean {
  if (v === "") return true;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m || Number(m[1]) < 1000) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}
