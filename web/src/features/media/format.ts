import type { Locale } from "@/lib/i18n";
import { numberFormat } from "@/lib/intl";

const units: Record<Locale, readonly string[]> = {
  fa: ["بایت", "کیلوبایت", "مگابایت", "گیگابایت", "ترابایت"],
  en: ["B", "KB", "MB", "GB", "TB"],
};

const intlLocale = (l: Locale) => (l === "fa" ? "fa-IR" : "en-US");

/**
 * A file size in binary units (1 KB = 1024 bytes), one decimal below 100
 * and none for bytes: "1.5 MB", "۱٫۵ مگابایت".
 */
export function humanSize(bytes: number, locale: Locale): string {
  const names = units[locale];
  let v = Math.max(0, Number.isFinite(bytes) ? bytes : 0);
  let i = 0;
  while (v >= 1024 && i < names.length - 1) {
    v /= 1024;
    i++;
  }
  // 1023.96 KB would print as "1024 KB": carry it to the next unit
  if (i > 0 && i < names.length - 1 && Math.round(v * 10) / 10 >= 1024) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : 1;
  const n = numberFormat(intlLocale(locale), { maximumFractionDigits: digits }).format(v);
  return `${n} ${names[i]}`;
}

/** Width × height, in the locale's digits; "" when unknown. */
export function dimensions(w: number, h: number, locale: Locale): string {
  if (!w || !h) return "";
  const nf = numberFormat(intlLocale(locale), { useGrouping: false });
  return `${nf.format(w)} × ${nf.format(h)}`;
}
