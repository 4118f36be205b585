"use client";
import Link from "next/link";
import { Fragment, useEffect, useMemo, useState } from "react";
import { can, useMe } from "@/lib/me";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { LockIcon } from "@/components/ui/LockIcon";
import { areaName, groupByArea, missingPermissions, permissionDescription, roleDescription, roleName, useUpdateRole, type Permission, type Role, type RoleInput } from "../api";
import { explainRoleError } from "../errors";

/** Unsaved toggles of one role: the desired state of each toggled permission, and of require_totp. */
type Draft = { perms: Record<string, boolean>; totp?: boolean };

/** The role's permissions with a draft applied to the server's current ones (so others' changes meanwhile are kept). */
export function applyDraft(role: Role, draft: Draft | undefined, catalogue: Permission[]): string[] {
  const set = new Set(role.permissions);
  for (const [p, on] of Object.entries(draft?.perms ?? {})) {
    if (on) set.add(p);
    else set.delete(p);
  }
  const order = new Map(catalogue.map((p, i) => [p.name, i]));
  return [...set].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || a.localeCompare(b));
}

/** The PATCH body of a draft: only what differs from the server's role. */
export function draftBody(role: Role, draft: Draft | undefined, catalogue: Permission[]): RoleInput {
  const body: RoleInput = {};
  const perms = applyDraft(role, draft, catalogue);
  const same = perms.length === role.permissions.length && perms.every((p) => role.permissions.includes(p));
  if (!same) body.permissions = perms;
  if (draft?.totp !== undefined && draft.totp !== role.require_totp) body.require_totp = draft.totp;
  return body;
}

type Props = { roles: Role[]; permissions: Permission[]; onDelete?: (role: Role) => void; highlight?: number };

/**
 * Rows are permissions grouped by area, columns are roles (built-in ones
 * first, locked). A custom role's cells are checkboxes for a user with
 * roles.manage; each role's changes are saved on their own (one PATCH).
 * The header row and the permission column stay in view while scrolling.
 */
export function PermissionMatrix({ roles, permissions, onDelete, highlight }: Props) {
  const { t, locale, number } = useI18n();
  const toast = useToast();
  const me = useMe();
  const update = useUpdateRole();
  const [drafts, setDrafts] = useState<Record<number, Draft>>({});
  const [saving, setSaving] = useState<number | null>(null);
  // roving tabindex: one cell of the matrix is in the tab order, arrows move between cells
  const [activeCell, setActiveCell] = useState<string | null>(null);
  const firstCell = roles[0] ? `${roles[0].name}|require_totp` : null;
  const current = activeCell ?? firstCell;
  const tabIndexOf = (cell: string) => (cell === current ? 0 : -1);
  const manage = can(me.data, "roles.manage");
  const groups = useMemo(() => groupByArea(permissions), [permissions]);

  const dirtyRoles = roles.filter((r) => Object.keys(draftBody(r, drafts[r.id], permissions)).length > 0);
  useEffect(() => {
    if (dirtyRoles.length === 0) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirtyRoles.length]);

  /** Why a role's column cannot be edited, or "" when it can. */
  const lockReason = (r: Role) =>
    r.builtin ? t("roles.builtinHint") : !manage ? t("roles.readOnlyHint") : missingPermissions(me.data, r).length > 0 ? t("roles.lockedHint", { perms: missingPermissions(me.data, r).join(", ") }) : "";

  const toggle = (r: Role, perm: string, on: boolean) =>
    setDrafts((d) => {
      const cur = d[r.id] ?? { perms: {} };
      const perms = { ...cur.perms };
      if (on === r.permissions.includes(perm)) delete perms[perm];
      else perms[perm] = on;
      return { ...d, [r.id]: { ...cur, perms } };
    });
  const setTotp = (r: Role, on: boolean) => setDrafts((d) => ({ ...d, [r.id]: { perms: d[r.id]?.perms ?? {}, totp: on === r.require_totp ? undefined : on } }));
  const discard = (id: number) => setDrafts((d) => {
    const next = { ...d };
    delete next[id];
    return next;
  });

  async function save(r: Role) {
    const body = draftBody(r, drafts[r.id], permissions);
    setSaving(r.id);
    try {
      await update.mutateAsync({ seen: r, body });
      discard(r.id);
      toast("info", t("roles.saved", { name: r.name }));
    } catch (e) {
      toast("error", explainRoleError(t, e, body.permissions ?? []));
    } finally {
      setSaving(null);
    }
  }

  const cellBase = "border-b border-e border-slate-200 dark:border-slate-700";
  return (
    <div className="space-y-2">
      <div role="region" aria-label={t("roles.matrix")} tabIndex={0} data-testid="matrix"
        className="relative max-h-[calc(100dvh-13rem)] min-h-72 overflow-auto rounded-xl border border-slate-200 bg-white shadow-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:bg-slate-800">
        <table className="border-separate border-spacing-0 text-sm"
          onFocus={(e) => { const c = (e.target as HTMLElement).dataset.cell; if (c) setActiveCell(c); }}
          onKeyDown={(e) => { const next = moveInMatrix(e, locale === "fa"); if (next) { e.preventDefault(); next.focus(); } }}>
          <thead>
            <tr>
              <th scope="col" className={`${cellBase} sticky start-0 top-0 z-30 min-w-56 max-w-72 bg-slate-50 px-3 py-2 text-start align-bottom text-xs font-medium text-slate-500 dark:bg-slate-900 dark:text-slate-400`}>
                {t("roles.permission")}
              </th>
              {roles.map((r) => {
                const dirty = dirtyRoles.includes(r);
                const reason = lockReason(r);
                return (
                  <th key={r.id} id={`role-col-${r.id}`} tabIndex={-1} scope="col" data-role={r.name} data-builtin={r.builtin} data-editable={!reason}
                    title={[roleDescription(locale, r), reason].filter(Boolean).join("\n")}
                    className={`${cellBase} sticky top-0 z-20 w-24 min-w-24 max-w-28 px-1 py-2 align-bottom font-normal ${highlight === r.id ? "bg-indigo-50 dark:bg-indigo-950" : "bg-slate-50 dark:bg-slate-900"}`}>
                    <div className="flex flex-col items-center gap-1 text-center">
                      <span className="flex items-center gap-1 text-xs font-semibold text-slate-800 dark:text-slate-100">
                        {r.builtin ? <LockIcon className="size-3 text-slate-500 dark:text-slate-400" /> : manage && reason ? <LockIcon className="size-3 text-amber-600 dark:text-amber-400" /> : null}
                        <span className="line-clamp-2 break-words">{roleName(locale, r.name)}</span>
                      </span>
                      {reason && (r.builtin || manage) && <span className="sr-only">{reason}</span>}
                      {can(me.data, "users.view")
                        ? <Link prefetch={false} href={`/users?role_id=${r.id}`} className="inline-flex min-h-6 min-w-6 items-center justify-center text-[11px] text-slate-500 underline underline-offset-2 hover:decoration-2 dark:text-slate-400">{t(r.users_count === 1 ? "roles.usersCountOne" : "roles.usersCount", { n: r.users_count })}</Link>
                        : <span className="text-[11px] text-slate-500 dark:text-slate-400">{t(r.users_count === 1 ? "roles.usersCountOne" : "roles.usersCount", { n: r.users_count })}</span>}
                      {dirty ? (
                        <span className="flex flex-nowrap justify-center gap-0.5">
                          <Button className="min-h-6 px-1.5 py-0.5 text-[11px]" onClick={() => save(r)} disabled={saving !== null} data-testid={`save-role-${r.id}`}>{t("roles.save")}</Button>
                          <Button variant="ghost" className="min-h-6 px-1 py-0.5 text-[11px]" onClick={() => discard(r.id)} disabled={saving === r.id} data-testid={`discard-role-${r.id}`}>{t("roles.discard")}</Button>
                        </span>
                      ) : !reason && onDelete ? (
                        <button type="button" onClick={() => onDelete(r)} aria-label={t("roles.deleteNamed", { name: r.name })} data-testid={`delete-role-${r.id}`}
                          className="min-h-6 min-w-6 rounded px-1.5 text-[11px] text-red-600 hover:bg-red-50 hover:underline dark:text-red-400 dark:hover:bg-red-950">{t("roles.delete")}</button>
                      ) : null}
                    </div>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            <GroupRow label={t("roles.security")} span={roles.length} />
            <tr className="group">
              <th scope="row" className={`${cellBase} sticky start-0 z-10 bg-white px-3 py-1 text-start font-normal group-hover:bg-slate-50 dark:bg-slate-800 dark:group-hover:bg-slate-700`}>
                <div className="text-[13px] leading-5 text-slate-800 dark:text-slate-100">{t("roles.requireTotp")}</div>
                <div className="text-[11px] leading-4 text-slate-500 dark:text-slate-400">{t("roles.requireTotpHint")}</div>
              </th>
              {roles.map((r) => {
                const on = drafts[r.id]?.totp ?? r.require_totp;
                const changed = drafts[r.id]?.totp !== undefined;
                // built-in roles too (their permissions are fixed, this is not); anyone
                // managing roles may require it, lifting it needs the role's permissions held
                const editable = manage && (!r.require_totp || missingPermissions(me.data, r).length === 0);
                return (
                  <td key={r.id} className={`${cellBase} px-1 py-1 text-center group-hover:bg-slate-50 dark:group-hover:bg-slate-700 ${changed ? "bg-amber-50 dark:bg-amber-950/60" : ""}`}>
                    <Cell tabIndex={tabIndexOf(`${r.name}|require_totp`)} on={on} editable={editable} label={`${r.name}: ${t("roles.requireTotp")}`} onChange={(v) => setTotp(r, v)} data-cell={`${r.name}|require_totp`} />
                  </td>
                );
              })}
            </tr>
            {groups.map((g) => (
              <Fragment key={g.area}>
                <GroupRow label={areaName(locale, g.area)} span={roles.length} />
                {g.items.map((p) => (
                  <tr key={p.name} className="group" data-permission={p.name}>
                    <th scope="row" className={`${cellBase} sticky start-0 z-10 bg-white px-3 py-1 text-start font-normal group-hover:bg-slate-50 dark:bg-slate-800 dark:group-hover:bg-slate-700`}>
                      <div className="text-[13px] leading-5 text-slate-800 dark:text-slate-100">{permissionDescription(locale, p)}</div>
                      <div className="text-[11px] leading-4"><code dir="ltr" className="text-slate-500 dark:text-slate-400">{p.name}</code></div>
                    </th>
                    {roles.map((r) => {
                      const changed = drafts[r.id]?.perms[p.name] !== undefined;
                      const on = changed ? drafts[r.id].perms[p.name] : r.permissions.includes(p.name);
                      const reason = lockReason(r);
                      // granting needs the permission held; so does taking it away (no one weakens what they could not restore)
                      const held = can(me.data, p.name);
                      return (
                        <td key={r.id} className={`${cellBase} px-1 py-1 text-center group-hover:bg-slate-50 dark:group-hover:bg-slate-700 ${changed ? "bg-amber-50 dark:bg-amber-950/60" : ""}`}>
                          <Cell tabIndex={tabIndexOf(`${r.name}|${p.name}`)} on={on} editable={!reason} disabled={!held} disabledHint={t("roles.notHeld")} label={`${r.name}: ${permissionDescription(locale, p)}`}
                            onChange={(v) => toggle(r, p.name, v)} data-cell={`${r.name}|${p.name}`} />
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      {/* one line under the matrix, so nothing above it moves when a change is pending */}
      <p role="status" className={`min-h-5 text-xs ${dirtyRoles.length > 0 ? "font-medium text-amber-800 dark:text-amber-300" : "text-slate-500 dark:text-slate-400"}`}>
        {dirtyRoles.length > 0
          ? t("roles.unsaved", { roles: new Intl.ListFormat(locale).format(dirtyRoles.map((r) => r.name)) })
          : (
            <>
              <LockIcon className="size-3" /> {t("roles.legend", { n: number(roles.filter((r) => r.builtin).length) })}
              {manage && roles.some((r) => !r.builtin && missingPermissions(me.data, r).length > 0) && (
                <span className="ms-3"><LockIcon className="size-3 text-amber-600 dark:text-amber-400" /> {t("roles.legendLocked")}</span>
              )}
            </>
          )}
      </p>
    </div>
  );
}

function GroupRow({ label, span }: { label: string; span: number }) {
  const cls = "border-b border-slate-200 bg-slate-100 dark:border-slate-700 dark:bg-slate-900";
  return (
    <tr>
      <th scope="rowgroup" className={`${cls} sticky start-0 z-10 px-3 py-1 text-start text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-300`}>{label}</th>
      <td colSpan={span} className={cls} />
    </tr>
  );
}

/**
 * Where an arrow, Home or End key moves in the matrix from the focused cell:
 * up/down the column, along the row (ArrowLeft/Right mirrored in RTL), Home/End
 * to the row's first/last cell; cells that cannot take focus are skipped.
 */
export function moveInMatrix(e: { key: string; target: EventTarget }, rtl: boolean): HTMLElement | null {
  const from = e.target as HTMLElement;
  if (!from.dataset?.cell) return null;
  const table = from.closest("table");
  const td = from.closest("td");
  if (!table || !td) return null;
  const rows = Array.from(table.querySelectorAll("tbody tr")).map((tr) => Array.from(tr.querySelectorAll("td"))).filter((tds) => tds.some((c) => c.querySelector("[data-cell]")));
  const r = rows.findIndex((tds) => tds.includes(td as HTMLTableCellElement));
  const c = rows[r]?.indexOf(td as HTMLTableCellElement) ?? -1;
  if (r < 0 || c < 0) return null;
  const at = (ri: number, ci: number) => {
    const el = rows[ri]?.[ci]?.querySelector<HTMLElement>("[data-cell]");
    return el && !(el as HTMLInputElement).disabled ? el : null;
  };
  const walk = (dr: number, dc: number, ri = r + dr, ci = c + dc): HTMLElement | null => {
    for (; ri >= 0 && ri < rows.length && ci >= 0 && ci < rows[ri].length; ri += dr, ci += dc) {
      const el = at(ri, ci);
      if (el) return el;
    }
    return null;
  };
  const forward = rtl ? "ArrowLeft" : "ArrowRight";
  const back = rtl ? "ArrowRight" : "ArrowLeft";
  switch (e.key) {
    case "ArrowDown": return walk(1, 0);
    case "ArrowUp": return walk(-1, 0);
    case forward: return walk(0, 1);
    case back: return walk(0, -1);
    case "Home": return walk(0, 1, r, 0);
    case "End": return walk(0, -1, r, rows[r].length - 1);
    default: return null;
  }
}

type CellProps = { tabIndex: number; on: boolean; editable: boolean; disabled?: boolean; disabledHint?: string; label: string; onChange: (v: boolean) => void; "data-cell": string };

/** A checkbox where the column is editable; otherwise a mark that reads as granted / not granted. */
function Cell({ tabIndex, on, editable, disabled, disabledHint, label, onChange, "data-cell": dataCell }: CellProps) {
  const { t } = useI18n();
  if (!editable) {
    return (
      <span data-cell={dataCell} data-on={on} tabIndex={tabIndex} className="inline-flex size-5 items-center justify-center">
        {on
          ? <svg viewBox="0 0 16 16" aria-hidden className="size-4 text-indigo-600 dark:text-indigo-400"><path fill="currentColor" d="M6.4 11.2 3.2 8l-1 1 4.2 4.2 8.4-8.4-1-1z" /></svg>
          : <span aria-hidden className="text-slate-400 dark:text-slate-500">–</span>}
        <span className="sr-only">{`${label}: ${on ? t("roles.granted") : t("roles.notGranted")}`}</span>
      </span>
    );
  }
  return (
    <input type="checkbox" checked={on} disabled={disabled} title={disabled ? disabledHint : undefined} aria-label={disabled && disabledHint ? `${label} (${disabledHint})` : label} data-cell={dataCell} tabIndex={tabIndex}
      onChange={(e) => onChange(e.target.checked)} className="size-4 cursor-pointer accent-indigo-600 align-middle disabled:cursor-not-allowed disabled:opacity-50" />
  );
}
