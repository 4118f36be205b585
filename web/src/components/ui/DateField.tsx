"use client";
import { GregorianCalendar, parseDate, toCalendar, type DateValue } from "@internationalized/date";
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { Button, DateInput, DatePicker as AriaDatePicker, DateSegment, Group, I18nProvider, Label, Text } from "react-aria-components";
import { useI18n } from "@/lib/i18n";
import { completeDay } from "@/lib/urlState";
import { APPLY_DELAY, dateLocale, type DatePickerProps } from "./DatePicker";

// the calendar grid is only downloaded when a user opens it
const CalendarPopover = lazy(() => import("./DatePickerCalendar"));

const toDate = (day: string | undefined) => (day && completeDay(day) ? parseDate(day) : null);

/** A Gregorian calendar day as yyyy-mm-dd, whatever calendar the user picked it in. */
export function dayString(v: DateValue | null): string {
  return v ? toCalendar(v, new GregorianCalendar()).toString().slice(0, 10) : "";
}

/** DatePicker once the user reaches for it: react-aria's date field, focused on arrival. */
export default function DateField({ label, value, onChange, name, min, max, hint, error, className = "" }: DatePickerProps) {
  const { locale, t } = useI18n();
  const [open, setOpen] = useState(false);
  // what the field shows, which may run ahead of value while the user types
  const [shown, setShown] = useState(() => toDate(value));
  const [prevValue, setPrevValue] = useState(value);
  if (prevValue !== value) {
    setPrevValue(value);
    if (dayString(shown) !== value) setShown(toDate(value));
  }
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <I18nProvider locale={dateLocale(locale)}>
      <AriaDatePicker
        className={className}
        value={shown}
        onChange={(v) => {
          setShown(v);
          clearTimeout(timer.current);
          const day = dayString(v);
          if (completeDay(day) && day !== value) timer.current = setTimeout(() => onChange(day), APPLY_DELAY);
        }}
        minValue={toDate(min)}
        maxValue={toDate(max)}
        isOpen={open}
        onOpenChange={setOpen}
        name={name}
        granularity="day"
        autoFocus
        isInvalid={error ? true : undefined}
        data-date-field={name}
        data-min={min}
        data-max={max}
      >
        <Label className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{label}</Label>
        <Group className="flex w-full items-center rounded-md border border-slate-300 bg-white text-sm text-slate-900 shadow-sm focus-within:border-indigo-500 focus-within:ring-1 focus-within:ring-indigo-500 data-[invalid]:border-red-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100">
          <DateInput className="flex flex-1 px-3 py-2">
            {(segment) => (
              <DateSegment
                segment={segment}
                className="rounded px-0.5 tabular-nums outline-none focus:bg-indigo-600 focus:text-white data-[placeholder]:text-slate-400"
              />
            )}
          </DateInput>
          <Button aria-label={t("date.open")} className="px-2 py-2 text-slate-500 hover:text-indigo-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-400">
            <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor"><path d="M6 2a1 1 0 0 1 1 1v1h6V3a1 1 0 1 1 2 0v1h1a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h1V3a1 1 0 0 1 1-1Zm10 6H4v8h12V8Z" /></svg>
          </Button>
        </Group>
        {(error || hint) && (
          <Text slot={error ? "errorMessage" : "description"} className={`mt-1 block text-xs ${error ? "text-red-600 dark:text-red-400" : "text-slate-500 dark:text-slate-400"}`}>{error || hint}</Text>
        )}
        {open && (
          <Suspense fallback={null}>
            <CalendarPopover />
          </Suspense>
        )}
      </AriaDatePicker>
    </I18nProvider>
  );
}
