import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { actionLabel, knownActions } from "@/features/audit/api";
import { roleName } from "@/features/roles/api";
import { UserMenu } from "@/components/UserMenu";
import { I18nProvider } from "@/lib/i18n";
import { fa, type MessageKey } from "@/lib/messages";
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
    await userEvent.click(within(screen.getByRole("status")).getByRole("button", { name: "Close message" }));
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
