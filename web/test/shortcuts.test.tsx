import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { KeyboardShortcuts } from "@/components/KeyboardShortcuts";
import { I18nProvider } from "@/lib/i18n";

function Page() {
  return (
    <I18nProvider>
      <KeyboardShortcuts />
      <main>
        <button type="button">Row action</button>
        <form role="search"><label>Search <input type="search" name="q" /></label></form>
      </main>
    </I18nProvider>
  );
}

describe("keyboard shortcuts", () => {
  afterEach(() => window.localStorage.clear());

  it("/ focuses the list's search box, and is typed as itself inside a field", async () => {
    window.localStorage.setItem("pishkhan.locale", "en");
    render(<Page />);
    const user = userEvent.setup();
    const box = screen.getByLabelText("Search") as HTMLInputElement;
    await user.click(screen.getByRole("button", { name: "Row action" }));
    await user.keyboard("/");
    expect(document.activeElement).toBe(box);
    expect(box.value).toBe("");
    await user.keyboard("a/b");
    expect(box.value).toBe("a/b");
  });

  it("? lists the shortcuts in the language; closing returns focus where it was", async () => {
    window.localStorage.setItem("pishkhan.locale", "fa");
    render(<Page />);
    const user = userEvent.setup();
    const button = screen.getByRole("button", { name: "Row action" });
    await user.click(button);
    await user.keyboard("?");
    const dialog = screen.getByRole("dialog");
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(dialog.textContent).toContain("میان‌برهای صفحه‌کلید");
    expect(screen.getByTestId("shortcuts").textContent).toContain("رفتن به جستجوی فهرست");
    fireEvent(dialog, new Event("cancel", { cancelable: true })); // what Escape does to a modal dialog
    await waitFor(() => expect(dialog.hasAttribute("open")).toBe(false));
    await waitFor(() => expect(document.activeElement).toBe(button));
  });
});
