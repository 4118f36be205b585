"use client";
import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { z } from "@/lib/zod";
import { can, useMe, type Me } from "@/lib/me";
import { missingPermissions, roleName, usePermissions, useRoles, type Permission, type Role } from "@/features/roles";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Field } from "@/components/ui/Field";
import { useDeactivateUser, useReinviteUser, useResetUserTOTP, useUpdateUser, useUser, userControls, userStatus, type Invite, type UpdateUserInput, type User } from "../api";
import { explainUserError, splitFieldErrors } from "../errors";
import { InviteLinkPanel } from "./InviteLinkPanel";
import { RolePicker } from "./RolePicker";
import { SuperuserBadge, UserStatusBadge } from "./UserStatusBadge";

const editSchema = z.object({
  email: z.string().trim().min(1, "form.required").email("form.email"),
  name: z.string().trim().max(100, "users.err.nameTooLong"),
  role_ids: z.array(z.number()),
  is_superuser: z.boolean(),
});
type Values = z.infer<typeof editSchema>;

const sameIds = (a: number[], b: number[]) => a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

/** One user: edit name, email and roles; deactivate or reactivate; a new set-password link. */
export function UserDetail({ id }: { id: number }) {
  const { t, dateTime } = useI18n();
  const me = useMe();
  const user = useUser(id);
  const manage = can(me.data, "users.manage");
  const roles = useRoles(manage);
  const perms = usePermissions(manage);
  const deactivate = useDeactivateUser(id);
  const reactivate = useUpdateUser(id);
  const reinvite = useReinviteUser(id);
  const resetTOTP = useResetUserTOTP(id);
  const toast = useToast();
  const [dialog, setDialog] = useState<"" | "deactivate" | "reactivate" | "reset" | "totp">("");
  const [link, setLink] = useState<Invite | null>(null);

  // The whole screen waits for what the edit form needs (roles and permissions, asked for once me says
  // the form is allowed): a form of unknown height arriving after the cards under it would push them
  // down, a layout shift a phone (one column) shows at full height.
  if (user.isPending || me.isPending || (manage && (roles.isPending || perms.isPending))) {
    return <div className="space-y-4" aria-busy><Skeleton className="h-8 w-64" /><Skeleton className="h-56 w-full" /><Skeleton className="h-32 w-full" /></div>;
  }
  if (user.isError) {
    const e = user.error instanceof ApiError ? user.error : null;
    return (
      <Card role="alert" className="text-center">
        <p className="mb-3">{e?.status === 404 || id === 0 ? t("users.notFound") : e?.status === 403 ? t("error.forbidden") : t("users.error")}</p>
        <Link prefetch={false} href="/users" className="text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("users.back")}</Link>
      </Card>
    );
  }
  const { user: u, etag } = user.data;
  const ctl = userControls(me.data, u, manage);
  const status = userStatus(u);
  const display = u.name || u.email;

  async function act(kind: "deactivate" | "reactivate" | "reset" | "totp") {
    try {
      if (kind === "deactivate") {
        await deactivate.mutateAsync();
        toast("info", t("users.deactivated", { name: display }));
      } else if (kind === "reactivate") {
        await reactivate.mutateAsync({ body: { is_active: true }, etag });
        toast("info", t("users.reactivated", { name: display }));
      } else if (kind === "totp") {
        await resetTOTP.mutateAsync();
        toast("info", t("users.tfaResetDone", { name: display }));
      } else {
        setLink(await reinvite.mutateAsync());
      }
    } catch (e) {
      toast("error", explainUserError(t, e));
    } finally {
      setDialog("");
    }
  }
  const busy = deactivate.isPending || reactivate.isPending || reinvite.isPending || resetTOTP.isPending;

  return (
    <div className="space-y-4">
      <Link prefetch={false} href="/users" className="text-sm text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("users.back")}</Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-bold">{u.name || <span dir="ltr">{u.email}</span>}</h1>
        <span data-testid="user-status"><UserStatusBadge status={status} /></span>
        {u.is_superuser && <SuperuserBadge />}
        {ctl.self && <span className="text-sm text-slate-500 dark:text-slate-400">{t("users.you")}</span>}
      </div>
      {ctl.superOnly && manage && <p className="rounded-md border border-slate-300 bg-slate-50 p-3 text-sm text-slate-700 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-300">{t("users.err.superOnly")}</p>}
      <div className="grid gap-4 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          {ctl.editProfile ? (
            roles.isSuccess && perms.isSuccess ? (
              <EditUser key={etag || `${u.updated_at}|${u.roles.map((r) => r.id).join(",")}`} user={u} etag={etag} onReload={() => user.refetch()} me={me.data} roles={roles.data} permissions={perms.data} ctl={ctl} />
            ) : (
              <p role="alert" className="text-sm text-red-600 dark:text-red-400">{t("roles.error")}</p>
            )
          ) : (
            <ReadOnlyUser user={u} />
          )}
        </Card>
        <div className="space-y-4">
          <Card>
            <h2 className="mb-3 font-semibold">{t("users.account")}</h2>
            <dl className="space-y-1 text-sm">
              <div className="flex justify-between gap-3"><dt className="text-slate-500 dark:text-slate-400">{t("users.createdAt")}</dt><dd>{dateTime(u.created_at)}</dd></div>
              <div className="flex justify-between gap-3"><dt className="text-slate-500 dark:text-slate-400">{t("users.updatedAt")}</dt><dd>{dateTime(u.updated_at)}</dd></div>
            </dl>
            {status === "invited" && <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">{t("users.invitedHint")}</p>}
            {ctl.editActive && (
              <div className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-700">
                {u.is_active ? (
                  <Button variant="danger" onClick={() => setDialog("deactivate")} data-testid="deactivate">{t("users.deactivate")}</Button>
                ) : (
                  <Button onClick={() => setDialog("reactivate")} data-testid="reactivate">{t("users.reactivate")}</Button>
                )}
              </div>
            )}
            {ctl.self && manage && <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">{t("users.selfHint")}</p>}
          </Card>
          {ctl.reset && u.is_active && (
            <Card>
              <h2 className="mb-2 font-semibold">{t(status === "invited" ? "users.reinviteTitle" : "users.resetTitle")}</h2>
              <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">{t(status === "invited" ? "users.reinviteIntro" : "users.resetIntro")}</p>
              <Button variant="secondary" onClick={() => setDialog("reset")} data-testid="reset-link">{t(status === "invited" ? "users.reinvite" : "users.reset")}</Button>
            </Card>
          )}
          {ctl.reset && !u.is_active && <p className="text-xs text-slate-500 dark:text-slate-400">{t("users.resetInactive")}</p>}
          {manage && !ctl.superOnly && (
            <Card data-testid="user-totp">
              <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
                <h2 className="font-semibold">{t("users.tfaTitle")}</h2>
                <span data-testid="user-totp-state" data-enabled={u.totp_enabled}
                  className={`rounded-full px-2.5 py-0.5 text-xs font-medium ${u.totp_enabled ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200" : "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200"}`}>
                  {t(u.totp_enabled ? "tfa.statusOn" : "tfa.statusOff")}
                </span>
              </div>
              {ctl.self ? (
                <p className="text-sm text-slate-600 dark:text-slate-300">
                  {t("users.tfaSelfHint")}{" "}
                  <Link prefetch={false} href="/account/two-factor" className="text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("tfa.title")}</Link>
                </p>
              ) : ctl.reset && u.totp_enabled ? (
                <>
                  <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">{t("users.tfaResetIntro")}</p>
                  <Button variant="danger" onClick={() => setDialog("totp")} data-testid="reset-totp">{t("users.tfaReset")}</Button>
                </>
              ) : null}
            </Card>
          )}
        </div>
      </div>
      {link && (
        <InviteLinkPanel invite={link} email={u.email} title={t("users.linkMade", { email: u.email })}>
          <Button variant="secondary" onClick={() => setLink(null)}>{t("users.linkDone")}</Button>
        </InviteLinkPanel>
      )}

      <ConfirmDialog open={dialog === "deactivate"} title={t("users.deactivateTitle", { name: display })} confirmLabel={t("users.deactivate")} cancelLabel={t("tfa.cancel")}
        danger busy={busy} onConfirm={() => act("deactivate")} onCancel={() => setDialog("")}>
        <p>{t("users.deactivateBody")}</p>
      </ConfirmDialog>
      <ConfirmDialog open={dialog === "reactivate"} title={t("users.reactivateTitle", { name: display })} confirmLabel={t("users.reactivate")} cancelLabel={t("tfa.cancel")}
        busy={busy} onConfirm={() => act("reactivate")} onCancel={() => setDialog("")}>
        <p>{t(status === "invited" ? "users.reactivateInvitedBody" : "users.reactivateBody")}</p>
      </ConfirmDialog>
      <ConfirmDialog open={dialog === "totp"} title={t("users.tfaResetTitle", { name: display })} confirmLabel={t("users.tfaReset")} cancelLabel={t("tfa.cancel")}
        danger busy={busy} onConfirm={() => act("totp")} onCancel={() => setDialog("")}>
        <p>{t("users.tfaResetBody")}</p>
      </ConfirmDialog>
      <ConfirmDialog open={dialog === "reset"} title={t(status === "invited" ? "users.reinvite" : "users.reset")} confirmLabel={t("users.makeLink")} cancelLabel={t("tfa.cancel")}
        busy={busy} onConfirm={() => act("reset")} onCancel={() => setDialog("")}>
        <p>{t(status === "invited" ? "users.reinviteBody" : "users.resetBody", { email: u.email })}</p>
      </ConfirmDialog>
    </div>
  );
}

function ReadOnlyUser({ user: u }: { user: User }) {
  const { t } = useI18n();
  return (
    <div className="space-y-3 text-sm">
      <dl className="grid gap-3 sm:grid-cols-2">
        <div><dt className="text-slate-500 dark:text-slate-400">{t("users.name")}</dt><dd>{u.name || "—"}</dd></div>
        <div><dt className="text-slate-500 dark:text-slate-400">{t("users.email")}</dt><dd><span dir="ltr">{u.email}</span></dd></div>
      </dl>
      <div>
        <h2 className="mb-1 text-slate-500 dark:text-slate-400">{t("users.roles")}</h2>
        <RoleChips roles={u.roles} />
      </div>
    </div>
  );
}

function RoleChips({ roles }: { roles: User["roles"] }) {
  const { t, locale } = useI18n();
  if (roles.length === 0) return <p className="text-slate-500 dark:text-slate-400">{t("users.noRole")}</p>;
  return <ul className="flex flex-wrap gap-1" data-testid="user-roles">{roles.map((r) => <li key={r.id} className="rounded bg-slate-100 px-2 py-0.5 text-sm dark:bg-slate-700">{roleName(locale, r.name)}</li>)}</ul>;
}

function EditUser({ user: u, etag, onReload, me, roles, permissions, ctl }: {
  user: User; etag: string; onReload: () => void; me: Me | undefined; roles: Role[]; permissions: Permission[]; ctl: ReturnType<typeof userControls>;
}) {
  const { t, locale } = useI18n();
  const toast = useToast();
  const update = useUpdateUser(u.id);
  const [roleErrors, setRoleErrors] = useState<Record<number, string>>({});
  // someone else changed the user since this form was filled from it
  const [stale, setStale] = useState(false);
  const initial: Values = { email: u.email, name: u.name, role_ids: u.roles.map((r) => r.id), is_superuser: u.is_superuser };
  const form = useForm<Values>({ resolver: zodResolver(editSchema), defaultValues: initial });
  const { errors, isDirty } = form.formState;
  const msg = (m?: string) => (m ? (/^(form|users)\./.test(m) ? t(m as "form.required") : m) : undefined);
  // taking any role away needs every held role's permissions: one the admin could not grant freezes the roles
  const heldLocked = u.roles.map((r) => roles.find((x) => x.id === r.id)).filter((r): r is Role => !!r && missingPermissions(me, r).length > 0);
  const editRoles = ctl.editRoles && heldLocked.length === 0;

  const submit = form.handleSubmit(async (v) => {
    setRoleErrors({});
    const body: UpdateUserInput = {};
    if (v.name.trim() !== u.name) body.name = v.name;
    if (v.email.trim() !== u.email) body.email = v.email;
    if (editRoles && !sameIds(v.role_ids, initial.role_ids)) body.role_ids = v.role_ids;
    if (ctl.editSuperuser && v.is_superuser !== u.is_superuser) body.is_superuser = v.is_superuser;
    if (Object.keys(body).length === 0) {
      toast("info", t("users.nothingChanged"));
      return;
    }
    try {
      await update.mutateAsync({ body, etag });
      toast("info", t("users.saved"));
    } catch (e) {
      if (e instanceof ApiError && e.code === "PRECONDITION_FAILED") {
        setStale(true);
      } else if (e instanceof ApiError && Object.keys(e.fields).length > 0) {
        const { fields, roles: byRole } = splitFieldErrors(t, e, body.role_ids ?? []);
        for (const [f, reason] of Object.entries(fields)) {
          if (f === "email" || f === "name" || f === "is_superuser" || f === "role_ids") form.setError(f, { message: reason });
          else toast("error", reason);
        }
        setRoleErrors(byRole);
        toast("error", t("create.fixErrors"));
      } else {
        toast("error", explainUserError(t, e));
      }
    }
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-4" data-testid="user-edit">
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label={t("users.name")} autoComplete="off" {...form.register("name")} error={msg(errors.name?.message)} />
        <Field label={t("users.email")} type="email" dir="ltr" autoComplete="off" {...form.register("email")} error={msg(errors.email?.message)} />
      </div>
      {editRoles ? (
        <Controller control={form.control} name="role_ids" render={({ field }) => (
          <RolePicker roles={roles} permissions={permissions} me={me} value={field.value}
            onChange={(ids) => { field.onChange(ids); setRoleErrors({}); }} errors={roleErrors} error={msg(errors.role_ids?.message)} />
        )} />
      ) : (
        <div>
          <h2 className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">{t("users.roles")}</h2>
          <RoleChips roles={u.roles} />
          <p className="mt-2 text-xs text-slate-500 dark:text-slate-400" data-testid="roles-locked">
            {ctl.self ? t("users.err.self") : t("users.heldLocked", { roles: new Intl.ListFormat(locale).format(heldLocked.map((r) => roleName(locale, r.name))) })}
          </p>
        </div>
      )}
      {ctl.editSuperuser && (
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" {...form.register("is_superuser")} className="mt-0.5 size-4 accent-indigo-600" />
          <span>
            <span className="font-medium">{t("users.makeSuperuser")}</span>
            <span className="block text-xs text-slate-500 dark:text-slate-400">{t("users.superuserHint")}</span>
            {errors.is_superuser?.message && <span className="block text-xs text-red-600 dark:text-red-400">{msg(errors.is_superuser.message)}</span>}
          </span>
        </label>
      )}
      {stale && (
        <div role="alert" data-testid="user-stale" className="flex flex-wrap items-center gap-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">
          <p className="min-w-0 flex-1">{t("users.err.stale")}</p>
          <Button type="button" variant="secondary" onClick={onReload} data-testid="user-reload">{t("users.reload")}</Button>
        </div>
      )}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={update.isPending || !isDirty || stale}>{t("users.save")}</Button>
        {isDirty && <Button type="button" variant="ghost" onClick={() => { form.reset(initial); setRoleErrors({}); }}>{t("users.discard")}</Button>}
      </div>
    </form>
  );
}
