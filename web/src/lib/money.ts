import { currencyNames, numberFormat } from "./intl";
import { createPreference } from "./preference";

type Locale = "fa" | "en";

/** How Iranian money is shown: in Rial (the currency's unit, IRR) or in Toman (10 Rial), a user preference. */
export type RialUnit = "rial" | "toman";
export const rialUnitPref = createPreference<RialUnit>("pishkhan.money", "rial", (raw) => (raw === "toman" ? "toman" : "rial"));

const intlLocale = (l: Locale) => (l === "fa" ? "fa-IR" : "en-US");

/** Digits of a currency's minor unit (IRR: 0, USD: 2). */
export function minorDigits(currency: string): number {
  try {
    return numberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

const unitNames: Record<Locale, Record<RialUnit, string>> = {
  fa: { rial: "ریال", toman: "تومان" },
  en: { rial: "Rial", toman: "Toman" },
};

/** The name of the unit an amount of currency is shown in: "تومان" for IRR in Toman, otherwise the currency's name. */
export function moneyUnitName(locale: Locale, currency: string, unit: RialUnit = "rial"): string {
  if (currency === "IRR") return unitNames[locale][unit];
  try {
    return currencyNames(locale).of(currency) ?? currency;
  } catch {
    return currency;
  }
}

/**
 * The one money formatter: an amount in minor units of currency, in the
 * language's digits and separators (Persian in fa). Iranian money in fa,
 * and Toman in any language, is a number followed by its unit (Rial or
 * Toman, as the user prefers); everything else uses the language's currency
 * format (en: "IRR 5,000", "$12.50").
 */
export function formatMoney(locale: Locale, minor: number, currency: string, unit: RialUnit = "rial"): string {
  const digits = minorDigits(currency);
  const value = minor / 10 ** digits;
  if (currency === "IRR" && (locale === "fa" || unit === "toman")) {
    const amount = unit === "toman" ? value / 10 : value;
    const n = numberFormat(intlLocale(locale), { maximumFractionDigits: unit === "toman" ? 1 : 0 }).format(amount);
    return `${n}\u00a0${unitNames[locale][unit]}`;
  }
  try {
    return numberFormat(intlLocale(locale), { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  } catch {
    return `${numberFormat(intlLocale(locale)).format(value)} ${currency}`;
  }
}
