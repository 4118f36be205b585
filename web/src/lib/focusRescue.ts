"use client";
import { useEffect } from "react";

const focusable = (el: Element): el is HTMLElement =>
  el instanceof HTMLElement && (el.hasAttribute("tabindex") || el.matches("a[href], button, input, select, textarea, summary, [contenteditable]")) && !el.matches(":disabled");

/**
 * Where focus goes when the element holding it has left the page: the nearest
 * ancestor it had that is still on the page and can take focus (a table's
 * region, a card, a dialog's opener's section); failing that, the main
 * region's heading (a new screen after a navigation), else the main region.
 */
export function rescueTarget(lost: HTMLElement[], main: HTMLElement | null, headingOnly = false): HTMLElement | null {
  for (const el of lost) if (el.isConnected && focusable(el) && el !== main) return el;
  if (!main?.isConnected) return null;
  const heading = main.querySelector<HTMLElement>("h1");
  if (heading) {
    if (!heading.hasAttribute("tabindex")) heading.tabIndex = -1;
    return heading;
  }
  return headingOnly ? null : main;
}

/**
 * Keeps keyboard focus from falling to the top of the page when what held it
 * disappears: a Retry button whose error gave way to the list, a Delete whose
 * item is gone, a dialog whose opener left with its screen. Focus the user
 * moved away themselves (a click on the page's background) is left alone.
 */
export function useFocusRescue() {
  useEffect(() => {
    // the focused element and its ancestors, nearest first, as they were when it took focus
    let chain: HTMLElement[] = [];
    let pending = 0;
    let retry = 0;
    const onFocusIn = (e: FocusEvent) => {
      const path: HTMLElement[] = [];
      for (let el = e.target as HTMLElement | null; el && el !== document.body; el = el.parentElement) path.push(el);
      chain = path;
    };
    const onFocusOut = (e: FocusEvent) => {
      if (e.relatedTarget) return;
      const el = e.target as HTMLElement;
      // a focused element that is still on the page, still usable, and lost focus to nothing: the user
      // clicked away (a button disabled while its action runs lost it to the browser, not to the user)
      queueMicrotask(() => {
        if (el.isConnected && !el.matches(":disabled") && (document.activeElement === document.body || !document.activeElement)) chain = [];
      });
    };
    const check = () => {
      pending = 0;
      if (chain.length === 0 || chain[0].isConnected) return;
      if (document.activeElement && document.activeElement !== document.body) {
        chain = [];
        return;
      }
      const lost = chain;
      chain = [];
      clearTimeout(retry);
      // after a navigation the next screen's heading may be a moment away: wait for it (up to 4 s), then settle for main
      let tries = 0;
      const settle = () => {
        if (document.activeElement && document.activeElement !== document.body) return;
        const target = rescueTarget(lost, document.getElementById("main"), ++tries < 40);
        if (target) target.focus({ preventScroll: true });
        else retry = window.setTimeout(settle, 100);
      };
      settle();
    };
    const observer = new MutationObserver(() => {
      if (chain.length && !pending && !chain[0].isConnected) pending = window.setTimeout(check, 60);
    });
    observer.observe(document.body, { childList: true, subtree: true });
    document.addEventListener("focusin", onFocusIn);
    document.addEventListener("focusout", onFocusOut);
    return () => {
      observer.disconnect();
      clearTimeout(pending);
      clearTimeout(retry);
      document.removeEventListener("focusin", onFocusIn);
      document.removeEventListener("focusout", onFocusOut);
    };
  }, []);
}

let headingWanted = false;

/**
 * Asks for focus on the next screen's heading: for an action that leaves its
 * screen (deleting the item a detail page shows). useFocusRescue carries it
 * out when the path changes, whatever the browser did with focus meanwhile.
 */
export function focusNextHeading() {
  headingWanted = true;
}

/** Carries out focusNextHeading once the screen at path has its heading (waiting up to 4 s). */
export function useHeadingFocusOnArrival(path: string) {
  useEffect(() => {
    if (!headingWanted) return;
    let tries = 0;
    let timer = 0;
    const attempt = () => {
      const heading = document.querySelector<HTMLElement>("main h1");
      if (heading) {
        headingWanted = false;
        if (!heading.hasAttribute("tabindex")) heading.tabIndex = -1;
        heading.focus({ preventScroll: true });
      } else if (++tries < 40) timer = window.setTimeout(attempt, 100);
      else headingWanted = false;
    };
    attempt();
    return () => clearTimeout(timer);
  }, [path]);
}
