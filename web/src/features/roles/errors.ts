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
    case "PRECONDITION_FAILED":
      return t("roles.err.stale");
    case "CONFLICT":
      if (e.reason === "builtin_role") return t("roles.err.builtin");
      if (e.reason === "role_in_use") return t("roles.err.inUse", { n: Number(e.details.users_count ?? 0) });
      return e.message;
    case "PERMISSION_DENIED":
      return e.reason === "permission_not_held" ? t("roles.err.locked") : t("error.forbidden");
    case "VALIDATION_FAILED": {
      const out: string[] = [];
      for (const [field, reason] of Object.entries(e.fields)) {
        const m = /^permissions\[(\d+)\]$/.exec(field);
        if (m && e.fieldReason(field) === "not_held") out.push(t("roles.err.notHeld", { perm: sentPermissions[Number(m[1])] ?? field }));
        else if (field === "name" && e.fieldReason(field) === "taken") out.push(t("roles.err.nameTaken"));
        else out.push(`${field}: ${reason}`);
      }
      return out.join(" ") || e.message;
    }
    default:
      return e.message;
  }
}
