"use client";
import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useId, useMemo, useRef } from "react";
import { Controller, useForm, useWatch } from "react-hook-form";
import { z } from "@/lib/zod";
import { useMe } from "@/lib/me";
import { areaName, permissionDescription } from "@/features/roles";
import { usePermissions } from "@/features/roles";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { DatePicker } from "@/components/ui/DatePicker";
import { Field } from "@/components/ui/Field";
import { addDays, expiryBounds, expiryInstant, groupPermissions, localDay, maxTokenDays, tokenFieldOf, useCreateToken, type CreatedToken } from "../api";
import { errorText, formMessage } from "./errorText";

/** The client-side rules mirror the server's (tokens.go); the server stays the authority. */
export const createTokenSchema = z.object({
  name: z.string().refine((v) => {
    const n = [...v.trim()].length;
    return n >= 1 && n <= 100;
  }, "tokens.create.nameInvalid"),
  permissions: z.array(z.string()).min(1, "tokens.create.pickOne"),
  // bounds are taken at validation time, so a form left open overnight still checks today's window
  expires: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "tokens.create.expiresRequired")
    .refine((v) => v >= expiryBounds().min, "tokens.create.expiresPast")
    .refine((v) => v <= expiryBounds().max, "tokens.create.expiresTooFar"),
});
export type CreateTokenValues = z.infer<typeof createTokenSchema>;

const presets = [7, 30, 90, 365];

/**
 * A new API token: a name, some of the caller's own permissions (grouped by
 * area, described), and an expiry day. The answer (with the secret) goes
 * to onCreated, which alone shows it.
 */
export function CreateTokenForm({ onCreated, onCancel }: { onCreated: (t: CreatedToken) => void; onCancel?: () => void }) {
  const { t, locale, dateTime } = useI18n();
  const toast = useToast();
  const me = useMe();
  const catalogue = usePermissions();
  const create = useCreateToken();
  const bounds = expiryBounds();
  const form = useForm<CreateTokenValues>({
    resolver: zodResolver(createTokenSchema),
    defaultValues: { name: "", permissions: [], expires: bounds.initial },
  });
  const { errors, isSubmitted } = form.formState;
  const selected = useWatch({ control: form.control, name: "permissions" });
  const expires = useWatch({ control: form.control, name: "expires" });
  const when = useMemo(() => (/^\d{4}-\d{2}-\d{2}$/.test(expires) ? expiryInstant(expires) : undefined), [expires]);
  const groups = useMemo(() => groupPermissions(catalogue.data ?? [], me.data?.permissions ?? []), [catalogue.data, me.data]);
  const all = useMemo(() => groups.flatMap((g) => g.items.map((p) => p.name)), [groups]);
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => title.current?.focus(), []);
  const ids = { title: useId(), perms: useId(), permsErr: useId() };

  const setPermissions = (v: string[]) => form.setValue("permissions", v, { shouldValidate: isSubmitted, shouldDirty: true });
  const toggle = (name: string, on: boolean) => setPermissions(on ? [...selected, name] : selected.filter((p) => p !== name));

  const submit = form.handleSubmit(async (v) => {
    const at = expiryInstant(v.expires);
    if (!at) return;
    try {
      // in the catalogue's order, so the request reads like the form
      const permissions = all.filter((p) => v.permissions.includes(p));
      onCreated(await create.mutateAsync({ name: v.name.trim(), permissions, expires_at: at.toISOString() }));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const entries = Object.entries(e.fields);
      if (entries.length === 0) {
        toast("error", errorText(t, e));
        return;
      }
      const perms: string[] = [];
      for (const [field, reason] of entries) {
        const to = tokenFieldOf(field);
        if (to === "permissions") perms.push(reason);
        else if (to) form.setError(to, { message: reason });
        else form.setError("root", { message: `${field}: ${reason}` });
      }
      if (perms.length) form.setError("permissions", { message: perms.join(" · ") });
      toast("error", t("account.fixErrors"));
    }
  });

  const permsError = formMessage(t, errors.permissions?.message);
  return (
    <Card className="space-y-4" data-testid="token-create">
      <h3 id={ids.title} ref={title} tabIndex={-1} className="text-lg font-semibold focus:outline-none">{t("tokens.create.title")}</h3>
      <form onSubmit={submit} noValidate aria-labelledby={ids.title} className="space-y-5">
        <Field label={t("tokens.name")} autoComplete="off" maxLength={100} className="max-w-md" hint={t("tokens.create.nameHint")}
          {...form.register("name")} error={formMessage(t, errors.name?.message)} />

        <fieldset aria-describedby={permsError ? ids.permsErr : undefined} aria-invalid={permsError ? true : undefined} className="space-y-3">
          <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">{t("tokens.permissions")}</legend>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="text-xs text-slate-500 dark:text-slate-400">{t("tokens.create.permissionsHint")}</p>
            {all.length > 0 && (
              <div className="flex items-center gap-1">
                <span className="text-xs text-slate-500 tabular-nums dark:text-slate-400" aria-live="polite" data-testid="perm-count">{t("tokens.create.selectedCount", { n: selected.length })}</span>
                <Button type="button" variant="ghost" className="px-2 py-1 text-xs" onClick={() => setPermissions(all)}>{t("tokens.create.selectAll")}</Button>
                <Button type="button" variant="ghost" className="px-2 py-1 text-xs" onClick={() => setPermissions([])}>{t("tokens.create.selectNone")}</Button>
              </div>
            )}
          </div>
          {(catalogue.isPending || me.isPending) && <div aria-busy className="grid gap-3 md:grid-cols-2"><Skeleton className="h-24 w-full" /><Skeleton className="h-24 w-full" /></div>}
          {catalogue.isError && (
            <div role="alert" className="flex flex-wrap items-center gap-3 text-sm text-red-600 dark:text-red-400">
              {t("tokens.create.permissionsError")}
              <Button type="button" variant="secondary" onClick={() => catalogue.refetch()}>{t("orders.retry")}</Button>
            </div>
          )}
          {catalogue.isSuccess && me.isSuccess && all.length === 0 && <p className="text-sm text-amber-700 dark:text-amber-300">{t("tokens.create.noPermissions")}</p>}
          {all.length > 0 && (
            <div className="gap-3 md:columns-2">
              {groups.map((g) => (
                <fieldset key={g.area} data-area={g.area} className="mb-3 break-inside-avoid rounded-lg border border-slate-200 p-3 dark:border-slate-700">
                  <legend className="px-1 text-sm font-semibold">{areaName(locale, g.area)}</legend>
                  <ul className="space-y-1">
                    {g.items.map((p) => (
                      <li key={p.name}>
                        <label className="flex cursor-pointer items-start gap-2.5 rounded-md p-1.5 hover:bg-slate-50 dark:hover:bg-slate-700/40">
                          <input type="checkbox" name="permissions" value={p.name} checked={selected.includes(p.name)} onChange={(e) => toggle(p.name, e.target.checked)}
                            className="mt-0.5 size-4 shrink-0 accent-indigo-600" />
                          <span className="min-w-0 text-sm">
                            <span className="block">{permissionDescription(locale, p) || p.name}</span>
                            <code dir="ltr" className="text-xs text-slate-500 dark:text-slate-400">{p.name}</code>
                          </span>
                        </label>
                      </li>
                    ))}
                  </ul>
                </fieldset>
              ))}
            </div>
          )}
          {permsError && <p id={ids.permsErr} className="text-xs text-red-600 dark:text-red-400">{permsError}</p>}
        </fieldset>

        <div className="space-y-2">
          <Controller control={form.control} name="expires" render={({ field }) => (
            <DatePicker label={t("tokens.create.expires")} name="expires" min={bounds.min} max={bounds.max} className="max-w-sm"
              value={field.value} onChange={(day) => form.setValue("expires", day, { shouldValidate: isSubmitted, shouldDirty: true })}
              error={formMessage(t, errors.expires?.message)}
              hint={when ? t("tokens.create.expiresHint", { when: dateTime(when.toISOString()), max: maxTokenDays }) : undefined} />
          )} />
          <div role="group" aria-label={t("tokens.create.presets")} className="flex flex-wrap gap-1.5">
            {presets.map((n) => (
              <Button key={n} type="button" variant="secondary" className="px-2.5 py-1 text-xs"
                aria-pressed={expires === localDay(addDays(new Date(), n))}
                onClick={() => form.setValue("expires", localDay(addDays(new Date(), n)), { shouldValidate: true })}>
                {t("tokens.create.days", { n })}
              </Button>
            ))}
          </div>
        </div>

        {errors.root && <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">{errors.root.message}</p>}
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={create.isPending || all.length === 0}>{t("tokens.create.submit")}</Button>
          {onCancel && <Button type="button" variant="ghost" onClick={onCancel}>{t("account.cancel")}</Button>}
        </div>
      </form>
    </Card>
  );
}
