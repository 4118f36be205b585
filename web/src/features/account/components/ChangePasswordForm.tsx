"use client";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { z } from "@/lib/zod";
import { useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import { useChangePassword } from "../api";
import { errorText, formMessage } from "./errorText";

const runes = (s: string) => [...s].length;

/** The client-side rules mirror the server's password policy (length); the server stays the authority. */
export const changePasswordSchema = z
  .object({
    current: z.string().min(1, "form.required"),
    next: z.string().refine((v) => runes(v) >= 8, "password.tooShort").refine((v) => runes(v) <= 128, "password.tooLong"),
    confirm: z.string().min(1, "form.required"),
  })
  .refine((v) => v.next === v.confirm, {
    path: ["confirm"],
    message: "password.mismatch",
    // checked even while another field (the current password) is still empty
    when: (p) => {
      const v = p.value as { next?: unknown; confirm?: unknown };
      return typeof v.next === "string" && typeof v.confirm === "string" && v.confirm !== "";
    },
  });
export type ChangePasswordValues = z.infer<typeof changePasswordSchema>;

const policyReasons: Record<string, MessageKey> = {
  wrong_password: "password.currentWrong", too_short: "password.tooShort", too_long: "password.tooLong",
  common: "password.common", like_email: "password.likeEmail", same_as_current: "password.same",
};

/** A refused field by its stable reason (details.field_reasons) in the user's language; an unknown one is shown as it came. */
export function passwordReason(code: string, reason: string): MessageKey | string {
  return policyReasons[code] ?? reason;
}

/** Current password, the new one twice. On success the server has ended every other session. */
export function ChangePasswordForm() {
  const { t } = useI18n();
  const toast = useToast();
  const me = useMe();
  const change = useChangePassword();
  const form = useForm<ChangePasswordValues>({ resolver: zodResolver(changePasswordSchema), defaultValues: { current: "", next: "", confirm: "" } });
  const { errors } = form.formState;

  const submit = form.handleSubmit(async (v) => {
    try {
      await change.mutateAsync({ current_password: v.current, new_password: v.next });
      form.reset();
      toast("info", t("password.changed"));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const fields = Object.entries(e.fields);
      if (fields.length === 0) {
        form.setError("root", { message: errorText(t, e) });
        return;
      }
      for (const [field, reason] of fields) {
        const to = field === "current_password" ? "current" : field === "new_password" ? "next" : null;
        if (to) form.setError(to, { message: passwordReason(e.fieldReason(field), reason) }, { shouldFocus: true });
        else form.setError("root", { message: `${field}: ${reason}` });
      }
    }
  });

  return (
    <section aria-labelledby="password-title" id="password" className="scroll-mt-4 space-y-3">
      <div className="max-w-3xl space-y-1">
        <h2 id="password-title" className="text-xl font-semibold">{t("password.title")}</h2>
        <p className="text-sm text-slate-600 dark:text-slate-300">{t("password.intro")}</p>
      </div>
      <Card className="max-w-xl">
        <form onSubmit={submit} noValidate aria-labelledby="password-title" className="space-y-4" data-testid="password-form">
          {/* the account's email, for password managers */}
          <input type="email" name="username" autoComplete="username" value={me.data?.email ?? ""} hidden readOnly />
          <Field label={t("password.current")} type="password" autoComplete="current-password" dir="ltr" {...form.register("current")} error={formMessage(t, errors.current?.message)} />
          <Field label={t("password.new")} type="password" autoComplete="new-password" dir="ltr" hint={t("password.hint")} {...form.register("next")} error={formMessage(t, errors.next?.message)} />
          <Field label={t("password.confirm")} type="password" autoComplete="new-password" dir="ltr" {...form.register("confirm")} error={formMessage(t, errors.confirm?.message)} />
          {errors.root && <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">{errors.root.message}</p>}
          <Button type="submit" disabled={change.isPending}>{t("password.submit")}</Button>
        </form>
      </Card>
    </section>
  );
}
