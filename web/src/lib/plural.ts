import type { Locale } from "./i18n";
import { numberFormat } from "./intl";

/** A message per plural category; "other" is required, the rest fall back to it. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const rules = new Map<Locale, Intl.PluralRules>();

/**
 * Picks the form of forms that the language uses for n ("1 field", "2 fields";
 * Persian has one form) and puts the number, in the language's digits, for {n}.
 */
export function plural(locale: Locale, n: number, forms: PluralForms): string {
  let r = rules.get(locale);
  if (!r) rules.set(locale, (r = new Intl.PluralRules(locale)));
  const form = forms[r.select(n)] ?? forms.other;
  return form.replaceAll("{n}", numberFormat(locale === "fa" ? "fa-IR" : "en-US").format(n));
}
