import type { ApiError } from "@/lib/api/client";
import { explainError, type ErrorCatalogue, type Translate } from "@/lib/errors";

/** A 422 on a role: each refused permission named, a taken name, other fields as the server says. */
const invalidRole = (sentPermissions: string[]) => (t: Translate, e: ApiError) => {
  const out: string[] = [];
  for (const [field, reason] of Object.entries(e.fields)) {
    const m = /^permissions\[(\d+)\]$/.exec(field);
    if (m && e.fieldReason(field) === "not_held") out.push(t("roles.err.notHeld", { perm: sentPermissions[Number(m[1])] ?? field }));
    else if (field === "name" && e.fieldReason(field) === "taken") out.push(t("roles.err.nameTaken"));
    else out.push(`${field}: ${reason}`);
  }
  return out.join(" ") || e.message;
};

/** The roles API's refusals as the roles screen explains them. */
const roleErrors = (sentPermissions: string[]): ErrorCatalogue => ({
  reasons: {
    builtin_role: "roles.err.builtin",
    role_in_use: (t, e) => t("roles.err.inUse", { n: Number(e.details.users_count ?? 0) }),
    permission_not_held: "roles.err.locked",
  },
  codes: {
    NOT_FOUND: "roles.err.gone",
    PRECONDITION_FAILED: "roles.err.stale",
    VALIDATION_FAILED: invalidRole(sentPermissions),
  },
});

/** A role change the server refused, explained in the user's language where it is a known rule. */
export const explainRoleError = (t: Translate, e: unknown, sentPermissions: string[] = []): string => explainError(t, e, roleErrors(sentPermissions));
