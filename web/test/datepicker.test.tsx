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
// the field is a stand-in until reached for: focusing it loads react-aria's and moves focus to its first segment
async function reach(user: ReturnType<typeof userEvent.setup>, label: string) {
  await user.click(screen.getByLabelText(label));
  // the first reach loads react-aria: allow for a slow machine
  await waitFor(() => expect(document.activeElement?.getAttribute("role")).toBe("spinbutton"), { timeout: 5000 });
  expect(document.activeElement).toBe(segments()[0]);
}

// the first test pays for loading react-aria: generous on a busy machine
describe("DatePicker", { timeout: 20000 }, () => {
  afterEach(() => window.localStorage.clear());

  it("in fa shows the Jalali calendar in Persian digits and gives back the Gregorian day", async () => {
    window.localStorage.setItem("pishkhan.locale", "fa");
    const applied: string[] = [];
    render(<I18nProvider><Harness onApply={(d) => applied.push(d)} /></I18nProvider>);
    const user = userEvent.setup();
    await reach(user, "From");
    // Persian order: year / month / day
    await user.keyboard("1405");
    expect(applied).toEqual([]); // half a date is not applied
    await user.keyboard("09");
    expect(applied).toEqual([]);
    await user.keyboard("16");
    // 1405-09-16 (Jalali) is 2026-12-07
    await waitFor(() => expect(applied).toEqual(["2026-12-07"]));
    const text = screen.getAllByRole("group")[0].textContent ?? "";
    expect(text).toMatch(/۱۴۰۵/);
    expect(text).not.toMatch(/[0-9]/);
  });

  it("in en is Gregorian and applies only a whole date", async () => {
    window.localStorage.setItem("pishkhan.locale", "en");
    const applied: string[] = [];
    render(<I18nProvider><Harness onApply={(d) => applied.push(d)} /></I18nProvider>);
    const user = userEvent.setup();
    await reach(user, "From");
    const field = screen.getAllByRole("group")[0];
    await user.keyboard("12");
    await user.keyboard("07");
    expect(applied).toEqual([]);
    await user.keyboard("2026");
    await waitFor(() => expect(applied).toEqual(["2026-12-07"]));
    expect(field.textContent).toMatch(/12.*7.*2026/);
  });

  it("shows an applied day in the language's calendar before it is reached for", () => {
    window.localStorage.setItem("pishkhan.locale", "fa");
    render(<I18nProvider><DatePicker label="From" value="2026-12-07" onChange={() => {}} /></I18nProvider>);
    expect((screen.getByLabelText("From") as HTMLInputElement).value).toBe("۱۴۰۵/۰۹/۱۶");
  });
});
