"use client";
import { createContext, useContext, useEffect, useMemo, type ReactNode } from "react";
import { messages, type MessageKey } from "./messages";
import { createPreference } from "./preference";

export type Locale = "fa" | "en";
const localePref = createPreference<Locale>("pishkhan.locale", "fa", (raw) => (raw === "en" ? "en" : "fa"));

type I18n = {
  locale: Locale;
  dir: "rtl" | "ltr";
  setLocale: (l: Locale) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  number: (n: number) => string;
  money: (minor: number, currency: string) => string;
  dateTime: (iso: string) => string;
  date: (iso: string) => string;
};

const Ctx = createContext<I18n | null>(null);

const intlLocale = (l: Locale) => (l === "fa" ? "fa-IR-u-ca-persian" : "en-US");

/** Digits of a currency's minor unit (IRR: 0, USD: 2). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function formatMoney(locale: Locale, minor: number, currency: string) {
  const digits = minorDigits(currency);
  const value = minor / 10 ** digits;
  try {
    return new Intl.NumberFormat(intlLocale(locale), { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  } catch {
    return `${value} ${currency}`;
  }
}

export function formatDateTime(locale: Locale, iso: string, withTime = true) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(intlLocale(locale), withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" }).format(d);
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const locale = localePref.use();
  useEffect(() => {
    document.documentElement.lang = locale;
    document.documentElement.dir = locale === "fa" ? "rtl" : "ltr";
  }, [locale]);
  const setLocale = localePref.set;
  const value = useMemo<I18n>(() => {
    const nf = new Intl.NumberFormat(intlLocale(locale));
    return {
      locale,
      dir: locale === "fa" ? "rtl" : "ltr",
      setLocale,
      t: (key, vars) => {
        let s: string = messages[locale][key] ?? messages.en[key] ?? key;
        for (const [k, v] of Object.entries(vars ?? {})) s = s.replaceAll(`{${k}}`, typeof v === "number" ? nf.format(v) : v);
        return s;
      },
      number: (n) => nf.format(n),
      money: (minor, currency) => formatMoney(locale, minor, currency),
      dateTime: (iso) => formatDateTime(locale, iso),
      date: (iso) => formatDateTime(locale, iso, false),
    };
  }, [locale, setLocale]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}
