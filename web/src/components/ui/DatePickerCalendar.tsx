"use client";
import { Button, Calendar, CalendarCell, CalendarGrid, CalendarGridBody, CalendarGridHeader, CalendarHeaderCell, Dialog, Heading, Popover } from "react-aria-components";

/** The calendar popover of DatePicker, loaded when first opened. */
export default function DatePickerCalendar() {
  return (
    <Popover className="rounded-md border border-slate-200 bg-white p-3 shadow-lg dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100">
      <Dialog className="outline-none">
        <Calendar>
          <header className="mb-2 flex items-center justify-between gap-2">
            <Button slot="previous" className="rounded px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800"><span aria-hidden="true" className="inline-block rtl:rotate-180">‹</span></Button>
            <Heading className="text-sm font-semibold" />
            <Button slot="next" className="rounded px-2 py-1 hover:bg-slate-100 dark:hover:bg-slate-800"><span aria-hidden="true" className="inline-block rtl:rotate-180">›</span></Button>
          </header>
          <CalendarGrid className="text-sm">
            <CalendarGridHeader>
              {(day) => <CalendarHeaderCell className="pb-1 text-xs font-medium text-slate-500 dark:text-slate-400">{day}</CalendarHeaderCell>}
            </CalendarGridHeader>
            <CalendarGridBody>
              {(date) => (
                <CalendarCell
                  date={date}
                  className="flex h-8 w-8 cursor-default items-center justify-center rounded tabular-nums outline-none hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-indigo-500 data-[disabled]:text-slate-300 data-[outside-month]:hidden data-[selected]:bg-indigo-600 data-[selected]:text-white dark:hover:bg-slate-800 dark:data-[disabled]:text-slate-600"
                />
              )}
            </CalendarGridBody>
          </CalendarGrid>
        </Calendar>
      </Dialog>
    </Popover>
  );
}
