import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { actionLabel, knownActions } from "@/features/audit/api";
import { roleName } from "@/features/roles/api";
import { UserMenu } from "@/components/UserMenu";
import { I18nProvider, useI18n } from "@/lib/i18n";
import { plural } from "@/lib/plural";
import { jobErrorWhy } from "@/features/jobs/errors";
import type { MessageKey } from "@/lib/messages";
import { faAll as fa } from "@/lib/messages.screens";
import { en } from "@/lib/messages.en";
import { useDocumentTitle } from "@/lib/title";
import { ToastProvider, useToast } from "@/lib/toast";

function Titled({ k }: { k: MessageKey }) {
  useDocumentTitle(k);
  return null;
}

describe("document titles", () => {
  it("name the screen and the app, in the current language", async () => {
    window.localStorage.setItem("pishkhan.locale", "fa");
    const { unmount } = render(<I18nProvider><Titled k="orders.title" /></I18nProvider>);
    await waitFor(() => expect(document.title).toBe("سفارش‌ها · پیشخوان"));
    unmount();
    window.localStorage.setItem("pishkhan.locale", "en");
    render(<I18nProvider><Titled k="audit.title" /></I18nProvider>);
    await waitFor(() => expect(document.title).toBe(`${en["audit.title"]} · Pishkhan`));
  });

  it("do not repeat the app's name on the home screen", async () => {
    window.localStorage.setItem("pishkhan.locale", "fa");
    render(<I18nProvider><Titled k="dashboard.title" /></I18nProvider>);
    await waitFor(() => expect(document.title).toBe("پیشخوان"));
  });
});

describe("names shown in Persian", () => {
  it("translate the built-in roles by their stable names and leave custom roles as named", () => {
    expect(roleName("fa", "Administrator")).toBe("مدیر کل");
    expect(roleName("fa", "Viewer")).toBe("بیننده");
    expect(roleName("en", "Viewer")).toBe("Viewer");
    expect(roleName("fa", "Warehouse crew")).toBe("Warehouse crew");
    expect(roleName("fa", "constructor")).toBe("constructor");
  });

  it("give every known audit action a label in both languages, with no Latin letters in fa", () => {
    for (const a of knownActions) {
      const f = actionLabel((k) => fa[k], a);
      expect(f, a).not.toMatch(/[a-z]{3}/);
      expect(actionLabel((k) => en[k], a)).not.toBe(a);
    }
    expect(actionLabel((k) => fa[k], "orders.something_new")).toBe("orders.something_new");
  });
});

describe("the user menu", () => {
  it("marks an item in another language with its lang", async () => {
    render(<UserMenu label="Sara, user menu" trigger="Sara" dir="rtl" items={[{ label: "English", lang: "en", onSelect: () => {} }, { label: "خروج", onSelect: () => {} }]} />);
    await userEvent.click(screen.getByRole("button", { name: "Sara, user menu" }));
    expect((await screen.findByRole("menuitem", { name: "English" })).getAttribute("lang")).toBe("en");
    expect(screen.getByRole("menuitem", { name: "خروج" }).getAttribute("lang")).toBeNull();
  });
});

function Pusher() {
  const toast = useToast();
  return <button type="button" onClick={() => { toast("info", "Saved."); toast("error", "Failed."); }}>push</button>;
}

describe("toasts", () => {
  it("close by their button, which has a name", async () => {
    window.localStorage.setItem("pishkhan.locale", "en");
    render(<I18nProvider><ToastProvider><Pusher /></ToastProvider></I18nProvider>);
    await userEvent.click(await screen.findByRole("button", { name: "push" }));
    expect(screen.getAllByTestId("toast")).toHaveLength(2);
    await userEvent.click(within(screen.getByRole("status").parentElement!).getByRole("button", { name: "Dismiss message" }));
    expect(screen.queryByRole("status")).toBeNull();
    expect(screen.getByRole("alert").textContent).toContain("Failed.");
  });

  it("close with Escape", async () => {
    window.localStorage.setItem("pishkhan.locale", "fa");
    render(<I18nProvider><ToastProvider><Pusher /></ToastProvider></I18nProvider>);
    await userEvent.click(await screen.findByRole("button", { name: "push" }));
    expect(screen.getAllByRole("button", { name: "بستن پیام" })).toHaveLength(2);
    await userEvent.keyboard("{Escape}");
    expect(screen.queryAllByTestId("toast")).toHaveLength(0);
  });
});

describe("plurals", () => {
  it("follow the language's rules, with its digits", () => {
    const forms = { one: "{n} field", other: "{n} fields" };
    expect(plural("en", 1, forms)).toBe("1 field");
    expect(plural("en", 0, forms)).toBe("0 fields");
    expect(plural("en", 2, forms)).toBe("2 fields");
    expect(plural("en", 1200, forms)).toBe("1,200 fields");
    expect(plural("fa", 1, { other: "{n} فیلد" })).toBe("۱ فیلد");
    expect(plural("fa", 3, { one: "x", other: "{n} فیلد" })).toBe("۳ فیلد");
    // a form the language has but the message leaves out falls back to "other"
    expect(plural("en", 1, { other: "{n} items" })).toBe("1 items");
  });

  it("the audit log's field count says 1 field, not 1 fields", () => {
    expect(plural("en", 1, { one: en["audit.fields.one"], other: en["audit.fields.other"] })).toBe("1 field");
    expect(plural("fa", 1, { one: fa["audit.fields.one"], other: fa["audit.fields.other"] })).toBe("۱ فیلد");
  });
});

describe("no English in the Persian UI", () => {
  it("job errors get a Persian reason; the server's text is kept for the tooltip", () => {
    // the server classifies the text (internal/jobadmin ClassifyText); the app maps its kind
    const kinds = ["busy", "timeout", "cancelled", "unreachable", "crash", "missing", "other"] as const;
    for (const kind of kinds) expect(jobErrorWhy({ kind })).toBe(`jobs.why.${kind}`);
    for (const kind of kinds) expect(fa[jobErrorWhy({ kind })]).not.toMatch(/[A-Za-z]/);
  });

  it("the chart legend names the currency in Persian", async () => {
    window.localStorage.setItem("pishkhan.locale", "fa");
    function Legend() {
      const { t, currencyName } = useI18n();
      return <p>{t("dashboard.chart.revenue", { currency: currencyName("IRR") })}</p>;
    }
    render(<I18nProvider><Legend /></I18nProvider>);
    expect((await screen.findByText(/درآمد/)).textContent).toBe("درآمد (ریال ایران)");
  });
});

describe("the page hidden before the first paint for English (layout.tsx)", () => {
  function Name() {
    const { t } = useI18n();
    return <p data-testid="name">{t("appName")}</p>;
  }
  it("is shown once it renders in English", async () => {
    window.localStorage.setItem("pishkhan.locale", "en");
    document.documentElement.setAttribute("data-pending-locale", "en");
    const seen: (string | null)[] = [];
    const mo = new MutationObserver(() => seen.push(document.querySelector('[data-testid="name"]')?.textContent ?? null));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ["data-pending-locale"] });
    render(<I18nProvider><Name /></I18nProvider>);
    await waitFor(() => expect(document.documentElement.hasAttribute("data-pending-locale")).toBe(false));
    mo.disconnect();
    // when it was shown, the screen was already English
    expect(seen).toEqual(["Pishkhan"]);
  });

  it("is shown at once when Persian is saved", async () => {
    window.localStorage.setItem("pishkhan.locale", "fa");
    document.documentElement.setAttribute("data-pending-locale", "en");
    render(<I18nProvider><Name /></I18nProvider>);
    await waitFor(() => expect(document.documentElement.hasAttribute("data-pending-locale")).toBe(false));
    expect(screen.getByTestId("name").textContent).toBe("پیشخوان");
  });
});
