import { ApiError } from "@/lib/api/client";
import type { MessageKey } from "@/lib/messages";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A role change the server refused, explained in the user's language where it is a known rule. */
export function explainRoleError(t: T, e: unknown, sentPermissions: string[] = []): string {
  if (!(e instanceof ApiError)) return t("error.network");
  switch (e.code) {
    case "NETWORK":
      return t("error.network");
    case "INTERNAL":
      return t("error.generic", { id: e.requestId });
    case "NOT_FOUND":
      return t("roles.err.gone");
    case "CONFLICT": {
      if (/built-in/.test(e.message)) return t("roles.err.builtin");
      const m = /^(\d+) users hold this role/.exec(e.message);
      return m ? t("roles.err.inUse", { n: Number(m[1]) }) : e.message;
    }
    case "PERMISSION_DENIED":
      return /which you do not hold/.test(e.message) ? t("roles.err.locked") : t("error.forbidden");
    case "VALIDATION_FAILED": {
      const out: string[] = [];
      for (const [field, reason] of Object.entries(e.fields)) {
        const m = /^permissions\[(\d+)\]$/.exec(field);
        if (m && /you do not hold/.test(reason)) out.push(t("roles.err.notHeld", { perm: sentPermissions[Number(m[1])] ?? field }));
        else if (field === "name" && /already taken/.test(reason)) out.push(t("roles.err.nameTaken"));
        else out.push(`${field}: ${reason}`);
      }
      return out.join(" ") || e.message;
    }
    default:
      return e.message;
  }
}
