import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { auditExportHref, auditFiltersFromSearch, auditFiltersToSearch, defaultAuditFilters } from "@/features/audit/api";
import { ChangeDiff, changeKind, listDiff } from "@/features/audit/components/ChangeDiff";
import { I18nProvider } from "@/lib/i18n";

function wrap(ui: React.ReactNode, locale: "en" | "fa" = "en") {
  window.localStorage.setItem("pishkhan.locale", locale);
  return render(<I18nProvider>{ui}</I18nProvider>);
}

const field = (name: string) => document.querySelector(`[data-field="${name}"]`) as HTMLElement;

describe("the audit diff", () => {
  it("tells added, removed, changed and unchanged fields apart", () => {
    expect(changeKind({ from: null, to: "x" })).toBe("added");
    expect(changeKind({ from: "x", to: null })).toBe("removed");
    expect(changeKind({ from: 1, to: 2 })).toBe("changed");
    expect(changeKind({ from: ["a"], to: ["a"] })).toBe("same");
    // a secret's change is recorded masked on both sides, and still is a change
    expect(changeKind({ from: "***", to: "***" })).toBe("changed");
    expect(listDiff(["a", "b"], ["b", "c"])).toEqual({ removed: new Set(['"a"']), added: new Set(['"c"']) });
  });

  it("renders every kind of value readably, with before and after per field", () => {
    wrap(
      <ChangeDiff
        changes={{
          permissions: { from: ["orders.view", "users.view"], to: ["users.view", "audit.view"] },
          note: { from: null, to: "سلام" },
          name: { from: "Old name", to: null },
          totp: { from: false, to: true },
          total: { from: 1250000, to: 1300000 },
          role_ids: { from: [], to: [3] },
          meta: { from: { a: 1 }, to: { a: 2 } },
        }}
      />,
    );
    // arrays: the element only before is marked removed, the one only after added, the kept one plain
    const perms = field("permissions");
    expect(perms.dataset.kind).toBe("changed");
    const removed = within(perms).getAllByText(/orders\.view/).map((e) => e.closest("li")!);
    expect(removed.map((li) => li.dataset.mark)).toEqual(["removed"]);
    expect(removed[0].textContent).toContain("(removed)");
    const added = within(perms).getByText(/audit\.view/).closest("li")!;
    expect(added.dataset.mark).toBe("added");
    expect(added.textContent).toContain("(added)");
    expect(within(perms).getAllByText("users.view").every((e) => !e.closest("li")!.dataset.mark)).toBe(true);
    // technical values stay left to right, each chip on its own
    expect(added.getAttribute("dir")).toBe("ltr");

    // null shows as a dash with words for screen readers
    const note = field("note");
    expect(note.dataset.kind).toBe("added");
    expect(within(note).getByText("—")).toBeTruthy();
    expect(within(note).getByText("no value")).toBeTruthy();
    // free text takes its own direction (a Persian note reads right to left)
    expect(within(note).getByText("سلام").getAttribute("dir")).toBe("auto");
    expect(field("name").dataset.kind).toBe("removed");
    expect(within(field("name")).getByText("Old name")).toBeTruthy();

    expect(within(field("totp")).getByText("No")).toBeTruthy();
    expect(within(field("totp")).getByText("Yes")).toBeTruthy();
    const total = within(field("total")).getByText("1300000");
    expect(total.getAttribute("dir")).toBe("ltr");
    expect(within(field("role_ids")).getByText("empty list")).toBeTruthy();
    expect(within(field("meta")).getByText(/"a": 2/)).toBeTruthy();
    // each field shows its kind and both sides
    expect(within(perms).getByText("Changed")).toBeTruthy();
    expect(within(perms).getByText("Before")).toBeTruthy();
    expect(within(perms).getByText("After")).toBeTruthy();
  });

  it("says so when a row changed no field", () => {
    wrap(<ChangeDiff changes={{}} />);
    expect(screen.getByText("No field changes were recorded.")).toBeTruthy();
  });

  it("speaks Persian in fa", () => {
    wrap(<ChangeDiff changes={{ totp: { from: false, to: true } }} />, "fa");
    expect(screen.getByText("بله")).toBeTruthy();
    expect(screen.getByText("پیش از تغییر")).toBeTruthy();
  });
});

describe("audit filters in the URL", () => {
  it("round-trip and drop what is not valid", () => {
    const f = auditFiltersFromSearch(new URLSearchParams("actor_id=7&action=auth.totp_enable&resource_type=user&resource_id=7&from=2026-11-01&to=2026-11-28&page=2&page_size=50"));
    expect(f).toEqual({ page: 2, pageSize: 50, actorId: "7", action: "auth.totp_enable", resourceType: "user", resourceId: "7", from: "2026-11-01", to: "2026-11-28" });
    expect(auditFiltersFromSearch(new URLSearchParams(auditFiltersToSearch(f)))).toEqual(f);
    expect(auditFiltersFromSearch(new URLSearchParams("actor_id=abc&from=yesterday&page_size=7"))).toEqual(defaultAuditFilters);
    expect(auditFiltersToSearch(defaultAuditFilters)).toBe("");
  });

  it("export the same filters as the list, with the end day included", () => {
    const href = auditExportHref({ ...defaultAuditFilters, actorId: "7", action: "auth.totp_enable", from: "2026-11-01", to: "2026-11-01", page: 3 });
    const u = new URL(href, "http://x");
    expect(u.pathname).toBe("/api/audit-logs/export");
    expect(u.searchParams.get("actor_id")).toBe("7");
    expect(u.searchParams.get("action")).toBe("auth.totp_enable");
    expect(u.searchParams.has("page")).toBe(false);
    const from = new Date(u.searchParams.get("from")!), to = new Date(u.searchParams.get("to")!);
    expect(to.getTime() - from.getTime()).toBe(24 * 3600 * 1000);
    expect(auditExportHref(defaultAuditFilters)).toBe("/api/audit-logs/export");
  });
});
