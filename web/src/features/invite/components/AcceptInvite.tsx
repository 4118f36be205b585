"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Skeleton } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import { useAcceptInvite, useInviteInfo } from "../api";

const MIN = 8;
const MAX = 128;

/** A refused password by its stable reason (details.field_reasons), in the user's language where known. */
function passwordReason(t: ReturnType<typeof useI18n>["t"], code: string, reason: string): string {
  switch (code) {
    case "common":
      return t("invite.err.common");
    case "like_email":
      return t("invite.err.email");
    case "too_short":
      return t("invite.err.short");
    case "too_long":
      return t("invite.err.long");
    default:
      return reason;
  }
}

/** Password and confirmation for a set-password link. */
export function SetPasswordForm({ token, email, onDone, onInvalid }: { token: string; email: string; onDone: () => void; onInvalid: () => void }) {
  const { t } = useI18n();
  const accept = useAcceptInvite();
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<{ password?: string; confirm?: string; form?: string }>({});

  async function submit(e: FormEvent) {
    e.preventDefault();
    const n = [...password].length;
    const next: typeof errors = {};
    if (n < MIN) next.password = t("invite.err.short");
    else if (n > MAX) next.password = t("invite.err.long");
    if (confirm !== password) next.confirm = t("invite.err.mismatch");
    setErrors(next);
    if (next.password || next.confirm) return;
    try {
      await accept.mutateAsync({ token, password });
      onDone();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 404) onInvalid();
      else if (err.fields.password) setErrors({ password: passwordReason(t, err.fieldReason("password"), err.fields.password) });
      else if (err.code === "NETWORK") setErrors({ form: t("error.network") });
      else if (err.code === "INTERNAL") setErrors({ form: t("error.generic", { id: err.requestId }) });
      else setErrors({ form: err.message });
    }
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4" data-testid="set-password">
      {/* lets a password manager file the new password under the right account */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <Field label={t("invite.password")} type="password" name="password" autoComplete="new-password" dir="ltr" value={password} maxLength={MAX * 4}
        onChange={(e) => setPassword(e.target.value)} hint={t("invite.hint")} error={errors.password} autoFocus />
      <Field label={t("invite.confirm")} type="password" name="confirm" autoComplete="new-password" dir="ltr" value={confirm}
        onChange={(e) => setConfirm(e.target.value)} error={errors.confirm} />
      {errors.form && <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">{errors.form}</p>}
      <Button type="submit" className="w-full" disabled={accept.isPending}>{t("invite.submit")}</Button>
    </form>
  );
}

/** The page behind a set-password link: whose account, the form, then a way to log in. */
export function AcceptInvite({ token }: { token: string }) {
  const { t, dateTime } = useI18n();
  const info = useInviteInfo(token);
  const [state, setState] = useState<"form" | "done" | "invalid">("form");

  if (state === "done") {
    return (
      <div className="space-y-4 text-center" data-testid="invite-done">
        <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950 dark:text-emerald-200">{t("invite.done")}</p>
        <Link prefetch={false} href="/login" className="inline-flex w-full items-center justify-center rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">{t("invite.toLogin")}</Link>
      </div>
    );
  }
  const badLink = !token || state === "invalid" || (info.isError && info.error instanceof ApiError && info.error.status === 404);
  if (badLink) {
    return (
      <div role="alert" className="space-y-3" data-testid="invite-invalid">
        <p className="font-medium text-slate-900 dark:text-slate-100">{t("invite.invalidTitle")}</p>
        <p className="text-sm text-slate-600 dark:text-slate-300">{t("invite.invalidBody")}</p>
        <Link prefetch={false} href="/login" className="text-sm text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("invite.toLogin")}</Link>
      </div>
    );
  }
  if (info.isPending) return <div className="space-y-3" aria-busy><Skeleton className="h-5 w-3/4" /><Skeleton className="h-10 w-full" /><Skeleton className="h-10 w-full" /></div>;
  if (info.isError) {
    return (
      <div role="alert" className="space-y-3">
        <p className="text-sm text-red-600 dark:text-red-400">{info.error instanceof ApiError && info.error.code === "NETWORK" ? t("error.network") : t("invite.loadError")}</p>
        <Button variant="secondary" onClick={() => info.refetch()}>{t("orders.retry")}</Button>
      </div>
    );
  }
  return (
    <div className="space-y-4">
      <div className="rounded-md bg-slate-50 p-3 text-sm dark:bg-slate-900" data-testid="invite-account">
        <p className="text-slate-600 dark:text-slate-300">{t("invite.for")}</p>
        {info.data.name && <p className="font-medium text-slate-900 dark:text-slate-100">{info.data.name}</p>}
        <p className="break-all font-medium text-slate-900 dark:text-slate-100"><span dir="ltr" data-testid="invite-email">{info.data.email}</span></p>
        <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">{t("invite.expires", { at: dateTime(info.data.expires_at) })}</p>
      </div>
      <SetPasswordForm token={token} email={info.data.email} onDone={() => setState("done")} onInvalid={() => setState("invalid")} />
    </div>
  );
}
