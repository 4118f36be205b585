"use client";
import Link from "next/link";
import { useRef, useState, type FormEvent } from "react";
import { can, useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Field } from "@/components/ui/Field";
import { useCreateRole, useDeleteRole, usePermissions, useRoles, type Role } from "../api";
import { explainRoleError } from "../errors";
import { PermissionMatrix } from "./PermissionMatrix";

/** Roles and the permission matrix: create, edit per role, delete. */
export function RolesScreen() {
  const { t } = useI18n();
  const me = useMe();
  const roles = useRoles();
  const perms = usePermissions();
  const manage = can(me.data, "roles.manage");
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<number | undefined>();
  const [deleting, setDeleting] = useState<Role | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const err = roles.error instanceof ApiError ? roles.error : perms.error instanceof ApiError ? perms.error : null;

  return (
    <div className="space-y-4">
      <div className="flex min-h-9 flex-wrap items-center justify-between gap-3">
        <h1 ref={heading} tabIndex={-1} className="text-2xl font-bold focus:outline-none">{t("roles.title")}</h1>
        {manage && !creating && <Button onClick={() => setCreating(true)} data-testid="new-role">{t("roles.new")}</Button>}
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t(manage ? "roles.intro" : "roles.introReadOnly")}</p>
      {manage && creating && (
        <CreateRoleForm onCancel={() => setCreating(false)} onCreated={(r) => {
          setCreating(false);
          setCreated(r.id);
          // the new column is last among the custom roles: bring it into view, with focus (the form that had it is gone)
          setTimeout(() => {
            const col = document.getElementById(`role-col-${r.id}`);
            col?.scrollIntoView({ block: "nearest", inline: "nearest", behavior: "smooth" });
            col?.focus({ preventScroll: true });
          }, 100);
        }} />
      )}
      {roles.isPending || perms.isPending ? (
        <div className="space-y-2" aria-busy data-testid="matrix-loading">
          <Skeleton className="h-16 w-full" />
          {Array.from({ length: 8 }, (_, i) => <Skeleton key={i} className="h-8 w-full" />)}
        </div>
      ) : roles.isError || perms.isError ? (
        <Card role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
          <p className="text-red-600 dark:text-red-400">{err?.status === 403 ? t("error.forbidden") : t("roles.error")}</p>
          <Button variant="secondary" onClick={() => { void roles.refetch(); void perms.refetch(); }}>{t("orders.retry")}</Button>
        </Card>
      ) : (
        <PermissionMatrix roles={roles.data} permissions={perms.data} onDelete={manage ? setDeleting : undefined} highlight={created} />
      )}
      <DeleteRoleDialog role={deleting} onClose={() => setDeleting(null)} onDeleted={() => requestAnimationFrame(() => heading.current?.focus())} />
    </div>
  );
}

function CreateRoleForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (r: Role) => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const create = useCreateRole();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<{ name?: string; description?: string }>({});

  async function submit(e: FormEvent) {
    e.preventDefault();
    const n = name.trim();
    if (!n) return setErrors({ name: t("form.required") });
    if ([...n].length > 60) return setErrors({ name: t("roles.err.nameLength") });
    if ([...description].length > 500) return setErrors({ description: t("roles.err.descriptionLength") });
    setErrors({});
    try {
      const role = await create.mutateAsync({ name: n, description: description.trim(), permissions: [] });
      toast("info", t("roles.created", { name: role.name }));
      onCreated(role);
    } catch (err) {
      if (err instanceof ApiError && err.fields.name) setErrors({ name: err.fieldReason("name") === "taken" ? t("roles.err.nameTaken") : err.fields.name });
      else if (err instanceof ApiError && err.fields.description) setErrors({ description: err.fields.description });
      else toast("error", explainRoleError(t, err));
    }
  }

  return (
    <Card>
      <form onSubmit={submit} noValidate className="space-y-3" data-testid="create-role">
        <h2 className="font-semibold">{t("roles.new")}</h2>
        <div className="grid gap-3 sm:grid-cols-[1fr_2fr]">
          <Field label={t("roles.name")} value={name} onChange={(e) => setName(e.target.value)} maxLength={60} error={errors.name} autoFocus />
          <Field label={t("roles.description")} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} error={errors.description} hint={t("roles.descriptionHint")} />
        </div>
        <p className="text-xs text-slate-500 dark:text-slate-400">{t("roles.createHint")}</p>
        <div className="flex gap-2">
          <Button type="submit" disabled={create.isPending}>{t("roles.create")}</Button>
          <Button type="button" variant="ghost" onClick={onCancel}>{t("tfa.cancel")}</Button>
        </div>
      </form>
    </Card>
  );
}

/** Deleting needs nobody to hold the role: the dialog says so up front, and the server's 409 is explained the same way. */
/** onDeleted: after the role is gone (its column, with the button that opened this, went with it). */
function DeleteRoleDialog({ role, onClose, onDeleted }: { role: Role | null; onClose: () => void; onDeleted: () => void }) {
  const { t } = useI18n();
  const me = useMe();
  const toast = useToast();
  const del = useDeleteRole();
  const [inUse, setInUse] = useState<string>("");
  const held = role ? role.users_count > 0 : false;
  const close = () => { setInUse(""); onClose(); };

  async function confirm() {
    if (!role) return;
    try {
      await del.mutateAsync(role.id);
      toast("info", t("roles.deleted", { name: role.name }));
      close();
      onDeleted();
    } catch (e) {
      if (e instanceof ApiError && e.reason === "role_in_use") setInUse(explainRoleError(t, e));
      else {
        toast("error", explainRoleError(t, e));
        close();
      }
    }
  }

  return (
    <ConfirmDialog open={!!role} title={t("roles.deleteNamed", { name: role?.name ?? "" })} cancelLabel={held || inUse ? t("roles.close") : t("tfa.cancel")}
      confirmLabel={held || inUse ? undefined : t("roles.delete")} danger busy={del.isPending} onConfirm={confirm} onCancel={close}>
      {held || inUse ? (
        <>
          <p role="alert" data-testid="role-in-use">{inUse || t("roles.err.inUse", { n: role?.users_count ?? 0 })}</p>
          {role && can(me.data, "users.view") && <p><Link prefetch={false} href={`/users?role_id=${role.id}`} className="text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("roles.showHolders")}</Link></p>}
        </>
      ) : (
        <p>{t("roles.deleteBody")}</p>
      )}
    </ConfirmDialog>
  );
}
