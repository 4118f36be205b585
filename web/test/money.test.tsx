import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { I18nProvider, useI18n } from "@/lib/i18n";
import { formatMoney, moneyUnitName, rialUnitPref } from "@/lib/money";

function Amount({ minor, currency }: { minor: number; currency: string }) {
  const { money, moneyUnit } = useI18n();
  return <p data-testid="amount">{money(minor, currency)} | {moneyUnit(currency)}</p>;
}

describe("formatMoney, the one money formatter", () => {
  afterEach(() => window.localStorage.clear());

  it("writes Rial with Persian digits and separators in fa, the unit after the number", () => {
    expect(formatMoney("fa", 1250000, "IRR")).toBe("۱٬۲۵۰٬۰۰۰\u00a0ریال");
    expect(formatMoney("fa", 1250000, "IRR", "toman")).toBe("۱۲۵٬۰۰۰\u00a0تومان");
    expect(formatMoney("fa", 1250005, "IRR", "toman")).toBe("۱۲۵٬۰۰۰٫۵\u00a0تومان");
    expect(formatMoney("fa", 1250000, "IRR")).not.toMatch(/[0-9A-Za-z]/);
  });

  it("writes Rial and Toman in en with Latin digits, other currencies in their own format", () => {
    expect(formatMoney("en", 1250000, "IRR")).toMatch(/^IRR\s1,250,000$/);
    expect(formatMoney("en", 1250000, "IRR", "toman")).toBe("125,000\u00a0Toman");
    expect(formatMoney("en", 123456, "USD")).toBe("$1,234.56");
    expect(formatMoney("fa", 123456, "USD")).toMatch(/۱٬۲۳۴٫۵۶/);
    expect(moneyUnitName("fa", "IRR", "toman")).toBe("تومان");
    expect(moneyUnitName("en", "USD")).toBe("US Dollar");
  });

  it("follows the user's Rial/Toman preference everywhere money() is used", () => {
    window.localStorage.setItem("pishkhan.locale", "fa");
    render(<I18nProvider><Amount minor={1250000} currency="IRR" /></I18nProvider>);
    expect(screen.getByTestId("amount").textContent).toBe("۱٬۲۵۰٬۰۰۰\u00a0ریال | ریال");
    act(() => rialUnitPref.set("toman"));
    expect(screen.getByTestId("amount").textContent).toBe("۱۲۵٬۰۰۰\u00a0تومان | تومان");
    expect(window.localStorage.getItem("pishkhan.money")).toBe("toman");
  });
});
