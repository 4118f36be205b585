import { describe, expect, it } from "vitest";
import { actionLabel, knownActions, knownResourceTypes, resourceTypeLabel } from "@/features/audit/api";
import type { MessageKey } from "@/lib/messages";
import { faAll as fa } from "@/lib/messages.screens";
import { en } from "@/lib/messages.en";

const tFa = (k: MessageKey) => fa[k];
const tEn = (k: MessageKey) => en[k];

describe("the audit log names resource types and actions in the language", () => {
  it("has a Persian name without Latin letters (but for API) and an English one for every known type and action", () => {
    for (const r of knownResourceTypes) {
      expect(resourceTypeLabel(tFa, r)).toMatch(/[\u0600-\u06ff]/);
      expect(resourceTypeLabel(tFa, r).replace("API", "")).not.toMatch(/[A-Za-z]/);
      expect(resourceTypeLabel(tEn, r)).not.toBe(r);
    }
    for (const a of knownActions) {
      expect(actionLabel(tFa, a).replace("API", "")).not.toMatch(/[A-Za-z]/);
      expect(actionLabel(tEn, a)).toBeTruthy();
    }
    expect(resourceTypeLabel(tFa, "order")).toBe("سفارش");
    expect(resourceTypeLabel(tEn, "api_token")).toBe("API token");
    expect(actionLabel(tFa, "orders.create")).toBe("ثبت سفارش");
  });

  it("shows a type or action the app does not know yet as the server has it", () => {
    expect(resourceTypeLabel(tFa, "invoice")).toBe("invoice");
    expect(actionLabel(tFa, "invoices.create")).toBe("invoices.create");
  });
});
