"use client";
import { useId } from "react";
import type { Me } from "@/lib/me";
import { missingPermissions, permissionDescription, roleDescription, roleName, type Permission, type Role } from "@/features/roles";
import { useI18n } from "@/lib/i18n";
import { LockIcon } from "@/components/ui/LockIcon";

type Props = {
  roles: Role[];
  permissions: Permission[];
  me: Me | undefined;
  value: number[];
  onChange: (ids: number[]) => void;
  /** Errors by role id (the server names role_ids[i]). */
  errors?: Record<number, string>;
  error?: string;
};

/**
 * Roles as checkboxes, each with its description and, below, the
 * permissions it gives. A role holding a permission the current user lacks
 * cannot be granted by them (the server refuses it): it is disabled, and
 * the hint names what is missing.
 */
export function RolePicker({ roles, permissions, me, value, onChange, errors = {}, error }: Props) {
  const { t, locale } = useI18n();
  const base = useId();
  const describe = (name: string) => {
    const p = permissions.find((x) => x.name === name);
    return p ? permissionDescription(locale, p) : name;
  };
  return (
    <fieldset aria-describedby={error ? base + "-err" : undefined}>
      <legend className="mb-2 block text-sm font-medium text-slate-700 dark:text-slate-300">{t("users.roles")}</legend>
      {roles.length === 0 && <p className="text-sm text-slate-500 dark:text-slate-400">{t("users.noRoles")}</p>}
      <ul className="grid gap-2 sm:grid-cols-2">
        {roles.map((r) => {
          const missing = missingPermissions(me, r);
          const checked = value.includes(r.id);
          const disabled = missing.length > 0;
          const id = `${base}-${r.id}`;
          const err = errors[r.id];
          return (
            <li key={r.id} data-role-option={r.name} data-grantable={!disabled}
              className={`rounded-lg border p-3 ${err ? "border-red-400 dark:border-red-500" : checked ? "border-indigo-400 bg-indigo-50/60 dark:border-indigo-500 dark:bg-indigo-950/40" : "border-slate-200 dark:border-slate-700"} ${disabled ? "opacity-75" : ""}`}>
              <div className="flex items-start gap-2">
                <input id={id} type="checkbox" checked={checked} disabled={disabled}
                  aria-describedby={`${id}-desc${disabled ? ` ${id}-why` : ""}${err ? ` ${id}-err` : ""}`} aria-invalid={err ? true : undefined}
                  onChange={(e) => onChange(e.target.checked ? [...value, r.id] : value.filter((v) => v !== r.id))}
                  className="mt-0.5 size-4 shrink-0 accent-indigo-600 disabled:cursor-not-allowed" />
                <div className="min-w-0 flex-1">
                  <label htmlFor={id} className={`flex flex-wrap items-center gap-1.5 text-sm font-medium ${disabled ? "cursor-not-allowed" : "cursor-pointer"}`} title={r.permissions.join("\n")}>
                    {roleName(locale, r.name)}
                    {r.builtin && <span className="inline-flex items-center gap-1 text-xs font-normal text-slate-600 dark:text-slate-400"><LockIcon className="size-3" />{t("roles.builtin")}</span>}
                    {r.require_totp && <span className="rounded bg-sky-100 px-1.5 text-xs font-normal text-sky-800 dark:bg-sky-900/60 dark:text-sky-200">{t("roles.totpBadge")}</span>}
                  </label>
                  <p id={`${id}-desc`} className="mt-0.5 text-xs text-slate-600 dark:text-slate-400">{roleDescription(locale, r)}</p>
                  <details className="group mt-1 text-xs">
                    <summary className="cursor-pointer text-indigo-600 hover:underline dark:text-indigo-400">{t(r.permissions.length === 1 ? "roles.permissionsCountOne" : "roles.permissionsCount", { n: r.permissions.length })}</summary>
                    <ul className="mt-1 space-y-0.5 text-slate-600 dark:text-slate-300">
                      {r.permissions.length === 0 && <li>{t("roles.noPermissions")}</li>}
                      {r.permissions.map((p) => (
                        <li key={p} className={missing.includes(p) ? "text-red-700 dark:text-red-300" : undefined}>
                          {describe(p)} <code dir="ltr" className="text-[11px] text-slate-500 dark:text-slate-400">{p}</code>
                        </li>
                      ))}
                    </ul>
                  </details>
                  {disabled && (
                    <p id={`${id}-why`} className="mt-1 text-xs text-amber-800 dark:text-amber-300">
                      {t("users.cannotGrant")}{" "}
                      <span dir="ltr" className="font-mono">{missing.slice(0, 3).join(", ")}</span>
                      {missing.length > 3 && <> {t("users.andMore", { n: missing.length - 3 })}</>}
                    </p>
                  )}
                  {err && <p id={`${id}-err`} className="mt-1 text-xs text-red-600 dark:text-red-400">{err}</p>}
                </div>
              </div>
            </li>
          );
        })}
      </ul>
      {error && <p id={base + "-err"} className="mt-1 text-xs text-red-600 dark:text-red-400">{error}</p>}
    </fieldset>
  );
}
