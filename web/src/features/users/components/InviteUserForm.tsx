"use client";
import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useState } from "react";
import { Controller, useForm, useWatch } from "react-hook-form";
import { z } from "@/lib/zod";
import { useMe } from "@/lib/me";
import { usePermissions, useRoles } from "@/features/roles";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import { useInviteUser, type Invite, type User } from "../api";
import { explainUserError, splitFieldErrors } from "../errors";
import { InviteLinkPanel } from "./InviteLinkPanel";
import { RolePicker } from "./RolePicker";

/** The client-side rules mirror the server's; the server stays the authority. */
export const inviteSchema = z.object({
  email: z.string().trim().min(1, "form.required").email("form.email"),
  name: z.string().trim().max(100, "users.err.nameTooLong"),
  role_ids: z.array(z.number()),
  is_superuser: z.boolean(),
});
type Values = z.infer<typeof inviteSchema>;
const empty: Values = { email: "", name: "", role_ids: [], is_superuser: false };

/** Invite a user: email, name, roles (only those the admin may grant); then the one-time link. */
export function InviteUserForm() {
  const { t } = useI18n();
  const toast = useToast();
  const me = useMe();
  const roles = useRoles();
  const perms = usePermissions();
  const invite = useInviteUser();
  const [result, setResult] = useState<{ user: User; invite: Invite } | null>(null);
  const [roleErrors, setRoleErrors] = useState<Record<number, string>>({});
  const form = useForm<Values>({ resolver: zodResolver(inviteSchema), defaultValues: empty });
  const { errors } = form.formState;
  const [pickedRoles, superuser] = useWatch({ control: form.control, name: ["role_ids", "is_superuser"] });
  const msg = (m?: string) => (m ? (/^(form|users)\./.test(m) ? t(m as "form.required") : m) : undefined);

  const submit = form.handleSubmit(async (v) => {
    setRoleErrors({});
    try {
      const out = await invite.mutateAsync({ email: v.email, name: v.name, role_ids: v.role_ids, ...(v.is_superuser ? { is_superuser: true } : {}) });
      // null only for an API token's request, never a logged-in admin's
      if (out.invite) setResult({ user: out.user, invite: out.invite });
      form.reset(empty);
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.fields).length > 0) {
        const { fields, roles: byRole } = splitFieldErrors(t, e, v.role_ids);
        for (const [f, reason] of Object.entries(fields)) {
          if (f === "email" || f === "name" || f === "is_superuser") form.setError(f, { message: reason });
          else if (f === "role_ids") form.setError("role_ids", { message: reason });
          else toast("error", reason);
        }
        setRoleErrors(byRole);
        toast("error", t("create.fixErrors"));
      } else {
        toast("error", explainUserError(t, e));
      }
    }
  });

  if (result) {
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-bold">{t("users.invite.title")}</h1>
        <InviteLinkPanel invite={result.invite} email={result.user.email} title={t("users.invite.done", { email: result.user.email })}>
          <Button variant="secondary" onClick={() => setResult(null)}>{t("users.invite.another")}</Button>
          <Link prefetch={false} href={`/users/detail?id=${result.user.id}`} className="inline-flex items-center rounded-md px-3 py-2 text-sm font-medium text-indigo-600 hover:bg-slate-100 dark:text-indigo-400 dark:hover:bg-slate-800">{t("users.invite.open")}</Link>
          <Link prefetch={false} href="/users" className="inline-flex items-center rounded-md px-3 py-2 text-sm font-medium text-indigo-600 hover:bg-slate-100 dark:text-indigo-400 dark:hover:bg-slate-800">{t("users.back")}</Link>
        </InviteLinkPanel>
      </div>
    );
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <Link prefetch={false} href="/users" className="text-sm text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("users.back")}</Link>
      <h1 className="text-2xl font-bold">{t("users.invite.title")}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("users.invite.intro")}</p>
      <Card className="grid gap-3 sm:grid-cols-2">
        <Field label={t("users.email")} type="email" dir="ltr" autoComplete="off" {...form.register("email")} error={msg(errors.email?.message)} />
        <Field label={t("users.name")} autoComplete="off" {...form.register("name")} error={msg(errors.name?.message)} />
      </Card>
      <Card>
        {roles.isPending || perms.isPending || me.isPending ? (
          <div className="grid gap-2 sm:grid-cols-2" aria-busy><Skeleton className="h-20" /><Skeleton className="h-20" /><Skeleton className="h-20" /><Skeleton className="h-20" /></div>
        ) : roles.isError || perms.isError ? (
          <div role="alert" className="flex items-center gap-3 text-sm text-red-600 dark:text-red-400">
            {t("roles.error")}
            <Button variant="secondary" type="button" onClick={() => { void roles.refetch(); void perms.refetch(); }}>{t("orders.retry")}</Button>
          </div>
        ) : (
          <Controller control={form.control} name="role_ids" render={({ field }) => (
            <RolePicker roles={roles.data} permissions={perms.data} me={me.data} value={field.value}
              onChange={(ids) => { field.onChange(ids); setRoleErrors({}); }} errors={roleErrors} error={msg(errors.role_ids?.message)} />
          )} />
        )}
        {pickedRoles.length === 0 && !superuser && <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">{t("users.invite.noRoleHint")}</p>}
      </Card>
      {me.data?.is_superuser && (
        <Card>
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" {...form.register("is_superuser")} className="mt-0.5 size-4 accent-indigo-600" />
            <span>
              <span className="font-medium">{t("users.makeSuperuser")}</span>
              <span className="block text-xs text-slate-500 dark:text-slate-400">{t("users.superuserHint")}</span>
            </span>
          </label>
          {errors.is_superuser?.message && <p className="mt-1 text-xs text-red-600 dark:text-red-400">{msg(errors.is_superuser.message)}</p>}
        </Card>
      )}
      <Button type="submit" disabled={invite.isPending}>{t("users.invite.submit")}</Button>
    </form>
  );
}
