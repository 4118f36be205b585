// Intl formatters, made once per locale and options and kept: building one
// (a DateTimeFormat in the Persian calendar above all) costs far more than
// formatting with it, and a list formats every row's dates and amounts on
// each render. A constructor that throws (an unknown currency) is not kept:
// the caller's fallback runs as before.

const made = new Map<string, unknown>();

function kept<T>(key: string, make: () => T): T {
  let f = made.get(key) as T | undefined;
  if (f === undefined) {
    f = make();
    made.set(key, f);
  }
  return f;
}

export const numberFormat = (locale: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat =>
  kept(`number|${locale}|${JSON.stringify(options)}`, () => new Intl.NumberFormat(locale, options));

export const dateTimeFormat = (locale: string, options: Intl.DateTimeFormatOptions = {}): Intl.DateTimeFormat =>
  kept(`date|${locale}|${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale, options));

export const currencyNames = (locale: string): Intl.DisplayNames =>
  kept(`currency|${locale}`, () => new Intl.DisplayNames(locale, { type: "currency" }));
