import { describe, expect, it } from "vitest";
import { moveInMatrix } from "@/features/roles/components/PermissionMatrix";

function table() {
  document.body.innerHTML = `<table><thead><tr><th></th><th>A</th><th>B</th><th>C</th></tr></thead><tbody>
    <tr><th>x</th><td><input type="checkbox" data-cell="a1"></td><td><input type="checkbox" data-cell="a2"></td><td><span data-cell="a3" tabindex="-1"></span></td></tr>
    <tr><td colspan="3">group</td></tr>
    <tr><th>y</th><td><input type="checkbox" disabled data-cell="b1"></td><td><input type="checkbox" data-cell="b2"></td><td><input type="checkbox" data-cell="b3"></td></tr>
  </tbody></table>`;
  return (cell: string) => document.querySelector<HTMLElement>(`[data-cell="${cell}"]`)!;
}
const move = (from: HTMLElement, key: string, rtl = false) => moveInMatrix({ key, target: from }, rtl)?.dataset.cell ?? null;

describe("arrow keys in the permission matrix", () => {
  it("move along rows and columns, skipping group rows and cells that cannot take focus", () => {
    const c = table();
    expect(move(c("a1"), "ArrowRight")).toBe("a2");
    expect(move(c("a2"), "ArrowLeft")).toBe("a1");
    expect(move(c("a2"), "ArrowDown")).toBe("b2");
    expect(move(c("b3"), "ArrowUp")).toBe("a3");
    expect(move(c("a1"), "ArrowDown")).toBeNull(); // b1 is disabled and nothing is below it
    expect(move(c("a3"), "ArrowRight")).toBeNull(); // the row's end
    expect(move(c("a1"), "Enter")).toBeNull();
  });

  it("Home and End go to the row's first and last cell that takes focus", () => {
    const c = table();
    expect(move(c("a2"), "End")).toBe("a3");
    expect(move(c("a3"), "Home")).toBe("a1");
    expect(move(c("b3"), "Home")).toBe("b2");
  });

  it("mirror ArrowLeft and ArrowRight right-to-left", () => {
    const c = table();
    expect(move(c("a1"), "ArrowLeft", true)).toBe("a2");
    expect(move(c("a2"), "ArrowRight", true)).toBe("a1");
  });
});
