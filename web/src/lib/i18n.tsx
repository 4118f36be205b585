"use client";
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { fa, type MessageKey } from "./messages";
import { currencyNames, dateTimeFormat, numberFormat } from "./intl";
import { formatMoney, moneyUnitName, rialUnitPref } from "./money";
import { createPreference } from "./preference";

export type Locale = "fa" | "en";
const localePref = createPreference<Locale>("pishkhan.locale", "fa", (raw) => (raw === "en" ? "en" : "fa"));

type Dictionary = Record<MessageKey, string>;
let english: Dictionary | undefined;
let englishLoading: Promise<Dictionary> | undefined;

/**
 * The English dictionary, a chunk of its own fetched once on first need, so
 * that a Persian user (the default) never downloads it. A failed load is
 * tried again on the next call.
 */
export function loadEnglish(): Promise<Dictionary> {
  englishLoading ??= import("./messages.en").then(
    (m) => (english = m.en),
    (err: unknown) => {
      englishLoading = undefined;
      throw err;
    },
  );
  return englishLoading;
}

// English saved: fetch its dictionary now, alongside hydration, not after it.
if (typeof window !== "undefined" && localePref.read() === "en") loadEnglish().catch(() => {});

type ScreensDictionary = Omit<Dictionary, keyof typeof fa>;
let persianScreens: ScreensDictionary | undefined;
let persianScreensLoading: Promise<unknown> | undefined;
const screensListeners = new Set<() => void>();

/**
 * Takes the Persian strings of the screens past the first load: called by
 * messages.screens.ts as it is evaluated, which each of those screens' pages
 * imports, so the strings are here before such a screen renders.
 */
export function registerPersianScreens(d: ScreensDictionary) {
  persianScreens = d;
  screensListeners.forEach((f) => f());
}

/**
 * Fetches the Persian screens' strings when something names one of them
 * before its page brought them (a stand-by: pages import them). A failed
 * load is tried again on the next call.
 */
export function loadPersianScreens(): Promise<unknown> {
  persianScreensLoading ??= import("./messages.screens").catch((err: unknown) => {
    persianScreensLoading = undefined;
    throw err;
  });
  return persianScreensLoading;
}

type I18n = {
  locale: Locale;
  dir: "rtl" | "ltr";
  setLocale: (l: Locale) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  number: (n: number) => string;
  /** An amount in minor units, by the one money formatter (src/lib/money.ts) with the user's Rial/Toman preference. */
  money: (minor: number, currency: string) => string;
  /** The unit amounts of a currency are shown in ("تومان", "US Dollar"): for legends and headings. */
  moneyUnit: (currency: string) => string;
  dateTime: (iso: string) => string;
  date: (iso: string) => string;
  /** The full moment, to the second and with its zone: for tooltips beside a shorter date. */
  exact: (iso: string) => string;
  /** A currency's name in the language ("ریال ایران", "Iranian Rial"); the code if it has none. */
  currencyName: (code: string) => string;
};

const Ctx = createContext<I18n | null>(null);

const intlLocale = (l: Locale) => (l === "fa" ? "fa-IR-u-ca-persian" : "en-US");

export { formatMoney, minorDigits } from "./money";

export function formatDateTime(locale: Locale, iso: string, withTime: boolean | "exact" = true) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const style: Intl.DateTimeFormatOptions = withTime === "exact" ? { dateStyle: "full", timeStyle: "long" } : withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
  return dateTimeFormat(intlLocale(locale), style).format(d);
}

/** Switches language once its dictionary is in: the screen keeps its current strings meanwhile. */
function setLocale(l: Locale) {
  if (l === "fa" || english) return localePref.set(l);
  void loadEnglish()
    .catch(() => {})
    .then(() => localePref.set(l));
}

/**
 * The language context. English renders nothing until its dictionary is in
 * (on a first load it was requested at startup), so no Persian strings or
 * bare keys flash in an English screen; should the dictionary fail to load,
 * the Persian strings are shown rather than nothing.
 */
export function I18nProvider({ children }: { children: ReactNode }) {
  const locale = localePref.use();
  const unit = rialUnitPref.use();
  // setLocale may have loaded it since this provider mounted
  const [enLoaded, setEnLoaded] = useState(english);
  const en = enLoaded ?? english;
  const [enFailed, setEnFailed] = useState(false);
  // a re-render when the Persian screens' strings arrive (t reads them as they are at the call)
  const [screensVersion, setScreensVersion] = useState(0);
  useEffect(() => {
    const update = () => setScreensVersion((n) => n + 1);
    screensListeners.add(update);
    return () => {
      screensListeners.delete(update);
    };
  }, []);
  useEffect(() => {
    if (locale !== "en" || en) return;
    let live = true;
    loadEnglish().then(
      (d) => live && setEnLoaded(d),
      () => live && setEnFailed(true),
    );
    return () => {
      live = false;
    };
  }, [locale, en]);
  useEffect(() => {
    document.documentElement.lang = locale;
    document.documentElement.dir = locale === "fa" ? "rtl" : "ltr";
  }, [locale]);
  // Shows the page the pre-paint script hid for English, once it is English
  // (or Persian was chosen meanwhile, or the dictionary failed). The saved
  // preference decides, not locale: hydration renders the Persian export first.
  const ready = localePref.read() !== "en" || (locale === "en" && !!en) || enFailed;
  useEffect(() => {
    if (ready) document.documentElement.removeAttribute("data-pending-locale");
  }, [ready]);
  const value = useMemo<I18n>(() => {
    const nf = numberFormat(intlLocale(locale));
    const dict: Partial<Dictionary> = (locale === "en" && en) || fa;
    return {
      locale,
      dir: locale === "fa" ? "rtl" : "ltr",
      setLocale,
      t: (key, vars) => {
        let s = dict[key] ?? (dict === fa ? persianScreens?.[key as keyof ScreensDictionary] : undefined);
        if (s === undefined) {
          // a screen's Persian string before its part is in: nothing rather than the key, and the part is fetched
          if (!persianScreens) loadPersianScreens().catch(() => {});
          s = persianScreens ? key : "";
        }
        for (const [k, v] of Object.entries(vars ?? {})) s = s.replaceAll(`{${k}}`, typeof v === "number" ? nf.format(v) : v);
        return s;
      },
      number: (n) => nf.format(n),
      money: (minor, currency) => formatMoney(locale, minor, currency, unit),
      moneyUnit: (currency) => moneyUnitName(locale, currency, unit),
      dateTime: (iso) => formatDateTime(locale, iso),
      date: (iso) => formatDateTime(locale, iso, false),
      exact: (iso) => formatDateTime(locale, iso, "exact"),
      currencyName: (code) => {
        try {
          return currencyNames(locale).of(code) ?? code;
        } catch {
          return code;
        }
      },
    };
    // screensVersion: a new value (so every user of t re-renders) when the Persian screens' strings arrive
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [locale, en, unit, screensVersion]);
  if (locale === "en" && !en && !enFailed) return null;
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}
