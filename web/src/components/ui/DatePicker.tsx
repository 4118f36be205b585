"use client";
import { lazy, Suspense, useId, useState } from "react";
import { useI18n } from "@/lib/i18n";
import { dateTimeFormat } from "@/lib/intl";
import { completeDay } from "@/lib/urlState";

// react-aria's date field and its calendars are large: they are fetched when
// a user first reaches for a date, not with the list that shows the field
const DateField = lazy(() => import("./DateField"));

/** The react-aria locale: Persian (Jalali) calendar and Persian digits in fa, Gregorian in en. */
export const dateLocale = (locale: string) => (locale === "fa" ? "fa-IR-u-ca-persian" : "en-US");

/** How long a typed date must stay unchanged before it is given to onChange. */
export const APPLY_DELAY = 600;

export type DatePickerProps = {
  label: string;
  /** yyyy-mm-dd (Gregorian) or "" */
  value: string;
  /**
   * called with a whole day (yyyy-mm-dd) or "" when cleared, once typing has
   * paused (APPLY_DELAY): never with a half-typed date (year 2 on the way to
   * 2026, day 1 on the way to 16)
   */
  onChange: (day: string) => void;
  name?: string;
  min?: string;
  max?: string;
  className?: string;
  /** a line under the field (what the date means), tied to it for screen readers */
  hint?: string;
  /** why the value is refused, shown under the field and announced with it */
  error?: string;
};

/**
 * The one date field: typed segment by segment (keyboard and screen readers
 * via react-aria) or picked from a calendar, shown in the language's calendar
 * (Jalali with Persian digits in fa). Its value is always a Gregorian day.
 * Until first focused or clicked it is a read-only box of the same size
 * showing the day; focusing it loads the real field and moves focus into it.
 */
export function DatePicker(props: DatePickerProps) {
  const [active, setActive] = useState(false);
  const stand = <StandIn {...props} onActivate={() => setActive(true)} />;
  if (!active) return stand;
  return (
    <Suspense fallback={stand}>
      <DateField {...props} />
    </Suspense>
  );
}

function StandIn({ label, value, name, min, max, hint, error, className = "", onActivate }: DatePickerProps & { onActivate: () => void }) {
  const { locale } = useI18n();
  const id = useId();
  const noteId = useId();
  const shown = completeDay(value) && value
    ? dateTimeFormat(dateLocale(locale), { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "UTC" }).format(new Date(value + "T12:00:00Z"))
    : "";
  return (
    <div className={className} data-date-field={name} data-min={min} data-max={max}>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{label}</label>
      <input id={id} readOnly value={shown} onFocus={onActivate} onPointerDown={onActivate}
        aria-invalid={error ? true : undefined} aria-describedby={error || hint ? noteId : undefined}
        className={`block w-full rounded-md border bg-white px-3 py-2 text-sm text-slate-900 shadow-sm dark:bg-slate-900 dark:text-slate-100 ${error ? "border-red-500" : "border-slate-300 dark:border-slate-600"}`} />
      <DateNote id={noteId} hint={hint} error={error} />
    </div>
  );
}

/** The line under a date field: its error when there is one, else its hint. */
export function DateNote({ id, hint, error }: { id?: string; hint?: string; error?: string }) {
  if (error) return <p id={id} className="mt-1 text-xs text-red-600 dark:text-red-400">{error}</p>;
  if (hint) return <p id={id} className="mt-1 text-xs text-slate-500 dark:text-slate-400">{hint}</p>;
  return null;
}
