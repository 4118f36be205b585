import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { UserMenu } from "@/components/UserMenu";

describe("the user menu's stand-in", () => {
  it("opens the real menu when pressed, even if it loads between press and release", async () => {
    window.localStorage.setItem("pishkhan.locale", "en");
    render(<UserMenu label="user menu" trigger="Sara" dir="ltr" items={[{ label: "Log out", onSelect: () => {} }]} />);
    const button = screen.getByRole("button", { name: "user menu" });
    // a press alone (the click lands on whatever is there once the menu has loaded)
    await userEvent.pointer({ keys: "[MouseLeft>]", target: button });
    expect(await screen.findByRole("menuitem", { name: "Log out" })).toBeTruthy();
  });
});
