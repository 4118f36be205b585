import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { DatePicker } from "@/components/ui/DatePicker";
import { I18nProvider } from "@/lib/i18n";

function Harness({ onApply }: { onApply: (d: string) => void }) {
  const [v, setV] = useState("");
  return (
    <DatePicker label="From" name="from" value={v} onChange={(d) => { setV(d); onApply(d); }} />
  );
}

const segments = () => screen.getAllByRole("spinbutton");

describe("DatePicker", () => {
  afterEach(() => window.localStorage.clear());

  it("in fa shows the Jalali calendar in Persian digits and gives back the Gregorian day", async () => {
    window.localStorage.setItem("pishkhan.locale", "fa");
    const applied: string[] = [];
    render(<I18nProvider><Harness onApply={(d) => applied.push(d)} /></I18nProvider>);
    const user = userEvent.setup();
    // Persian order: year / month / day
    await user.click(segments()[0]);
    await user.keyboard("1405");
    expect(applied).toEqual([]); // half a date is not applied
    await user.keyboard("09");
    expect(applied).toEqual([]);
    await user.keyboard("16");
    // 1405-09-16 (Jalali) is 2026-12-07
    await waitFor(() => expect(applied).toEqual(["2026-12-07"]));
    const text = screen.getByRole("group").textContent ?? "";
    expect(text).toMatch(/۱۴۰۵/);
    expect(text).not.toMatch(/[0-9]/);
  });

  it("in en is Gregorian and applies only a whole date", async () => {
    window.localStorage.setItem("pishkhan.locale", "en");
    const applied: string[] = [];
    render(<I18nProvider><Harness onApply={(d) => applied.push(d)} /></I18nProvider>);
    const field = await screen.findByRole("group");
    const user = userEvent.setup();
    await user.click(segments()[0]);
    await user.keyboard("12");
    await user.keyboard("07");
    expect(applied).toEqual([]);
    await user.keyboard("2026");
    await waitFor(() => expect(applied).toEqual(["2026-12-07"]));
    expect(field.textContent).toMatch(/12.*7.*2026/);
  });
});
