import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { useEffect } from "react";
import { describe, expect, it, vi } from "vitest";
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

describe("the English dictionary, loaded on demand", () => {
  // a fresh i18n module each time: setup.ts has loaded English into the shared one
  async function freshI18n(saved: "fa" | "en") {
    window.localStorage.setItem("pishkhan.locale", saved);
    vi.resetModules();
    return import("@/lib/i18n");
  }

  it("shows an English user nothing until it is in, never Persian strings or keys", async () => {
    const { I18nProvider, useI18n } = await freshI18n("en");
    const shown: string[] = [];
    function Probe() {
      const { t } = useI18n();
      shown.push(t("nav.orders"));
      return <p data-testid="probe">{t("nav.orders")}</p>;
    }
    render(<I18nProvider><Probe /></I18nProvider>);
    expect((await screen.findByTestId("probe")).textContent).toBe("Orders");
    expect(new Set(shown)).toEqual(new Set(["Orders"]));
    expect([document.documentElement.lang, document.documentElement.dir]).toEqual(["en", "ltr"]);
  });

  it("switches from Persian once it is in, keeping the Persian strings meanwhile, without a remount", async () => {
    const { I18nProvider, useI18n } = await freshI18n("fa");
    const shown: string[] = [];
    let mounts = 0;
    function Probe() {
      const { t, setLocale } = useI18n();
      useEffect(() => void mounts++, []);
      shown.push(t("nav.orders"));
      return <button onClick={() => setLocale("en")}>{t("nav.orders")}</button>;
    }
    render(<I18nProvider><Probe /></I18nProvider>);
    expect([document.documentElement.lang, document.documentElement.dir]).toEqual(["fa", "rtl"]);
    fireEvent.click(screen.getByRole("button"));
    expect(screen.getByRole("button").textContent).toBe("سفارش‌ها");
    await waitFor(() => expect(screen.getByRole("button").textContent).toBe("Orders"));
    expect(new Set(shown)).toEqual(new Set(["سفارش‌ها", "Orders"]));
    expect(mounts).toBe(1);
    expect([document.documentElement.lang, document.documentElement.dir]).toEqual(["en", "ltr"]);
  });
});
