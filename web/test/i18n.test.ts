import { describe, expect, it } from "vitest";
import { formatDateTime, formatMoney, minorDigits } from "@/lib/i18n";

describe("locale formatting", () => {
  it("uses Persian digits and the Jalali calendar in fa, Gregorian in en", () => {
    const fa = formatDateTime("fa", "2026-11-28T09:30:00Z", false);
    expect(fa).toMatch(/۱۴۰۵/);
    expect(fa).toMatch(/آذر/);
    expect(formatDateTime("en", "2026-11-28T09:30:00Z", false)).toMatch(/2026/);
  });

  it("formats money from minor units per currency", () => {
    expect(minorDigits("IRR")).toBe(0);
    expect(minorDigits("USD")).toBe(2);
    expect(formatMoney("en", 123456, "USD")).toBe("$1,234.56");
    expect(formatMoney("fa", 1250000, "IRR")).toMatch(/۱٬۲۵۰٬۰۰۰/);
  });
});
