"use client";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "@/lib/zod";
import { useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { toAsciiDigits } from "@/lib/digits";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { Field } from "@/components/ui/Field";
import { groupSecret, totpKey, useConfirmTOTP, useDisableTOTP, useRegenerateRecoveryCodes, useStartTOTPSetup, useTOTPStatus } from "../api";
import { QrCode } from "./QrCode";
import { copyText, RecoveryCodesPanel } from "./RecoveryCodes";

const codeSchema = z.object({ code: z.string().trim().regex(/^\d{3} ?\d{3}$/, "tfa.codeInvalid") });
const passwordSchema = z.object({ password: z.string().min(1, "form.required") });

const notice = "rounded-md border p-3 text-sm";
const warn = `${notice} border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200`;
const bad = `${notice} border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200`;

/** An error's text for the user: a known code in their language, else the server's message with its request id when internal. */
function useErrorText() {
  const { t } = useI18n();
  return (e: unknown) => {
    if (!(e instanceof ApiError)) return t("error.network");
    if (e.code === "NETWORK") return t("error.network");
    if (e.code === "INTERNAL") return t("error.generic", { id: e.requestId });
    if (e.code === "RATE_LIMITED") return t("error.rateLimited");
    if (e.status === 403) return t("error.forbidden");
    return e.message;
  };
}

/** Scan the QR code (or type the key), then confirm with a code from the app. */
function Enrol({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const qc = useQueryClient();
  const setup = useStartTOTPSetup();
  const confirm = useConfirmTOTP();
  const errorText = useErrorText();
  const form = useForm<z.infer<typeof codeSchema>>({ resolver: zodResolver(codeSchema), defaultValues: { code: "" } });
  const codeError = form.formState.errors.code?.message;
  const pwForm = useForm<z.infer<typeof passwordSchema>>({ resolver: zodResolver(passwordSchema), defaultValues: { password: "" } });
  const pwError = pwForm.formState.errors.password?.message;

  const start = pwForm.handleSubmit(async (v) => {
    try {
      await setup.mutateAsync(v.password);
      pwForm.reset();
    } catch (e) {
      // already on (another tab): show the fresh state
      if (e instanceof ApiError && e.code === "CONFLICT") void qc.invalidateQueries({ queryKey: totpKey });
      else if (e instanceof ApiError && e.fieldReason("password")) pwForm.setError("password", { message: "tfa.passwordWrong" });
      else pwForm.setError("root", { message: errorText(e) });
    }
  });

  const submit = form.handleSubmit(async (v) => {
    try {
      const codes = await confirm.mutateAsync(v.code.replace(/\s/g, ""));
      toast("info", t("tfa.enabledToast"));
      onCodes(codes);
    } catch (e) {
      if (e instanceof ApiError && e.fields.code) form.setError("code", { message: "tfa.codeWrong" });
      else form.setError("root", { message: errorText(e) });
    }
  });

  if (!setup.data) {
    return (
      <Card className="space-y-3">
        <h2 className="font-semibold">{t("tfa.setupTitle")}</h2>
        <p className="text-sm text-slate-600 dark:text-slate-300">{t("tfa.setupIntro")}</p>
        <form onSubmit={start} noValidate className="space-y-3">
          <Field label={t("tfa.password")} type="password" autoComplete="current-password" dir="ltr" className="max-w-sm"
            hint={t("tfa.startPasswordHint")} data-testid="totp-start-password"
            {...pwForm.register("password")} error={pwError ? t(pwError as MessageKey) : undefined} />
          {pwForm.formState.errors.root && <p role="alert" className={bad}>{pwForm.formState.errors.root.message}</p>}
          <Button type="submit" disabled={setup.isPending} data-testid="totp-start">{t("tfa.start")}</Button>
        </form>
      </Card>
    );
  }
  const { secret, otpauth_url } = setup.data;
  return (
    <Card className="space-y-5" data-testid="totp-enrol">
      <h2 className="font-semibold">{t("tfa.setupTitle")}</h2>
      <div className="grid gap-6 md:grid-cols-[auto_1fr]">
        <div className="space-y-2">
          <p className="text-sm font-medium">{t("tfa.step1")}</p>
          <div className="inline-block rounded-lg border border-slate-200 bg-white p-2 dark:border-slate-600">
            <QrCode value={otpauth_url} label={t("tfa.qrAlt")} />
          </div>
        </div>
        <div className="min-w-0 space-y-5">
          <div className="space-y-2">
            <p className="text-sm text-slate-600 dark:text-slate-300">{t("tfa.manual")}</p>
            <div className="flex flex-col items-start gap-2">
              <code dir="ltr" data-testid="totp-secret" data-secret={secret} className="select-all break-all rounded-md bg-slate-100 px-3 py-2 font-mono text-sm tracking-wider text-slate-900 dark:bg-slate-900 dark:text-slate-100">
                {groupSecret(secret)}
              </code>
              <Button variant="secondary" onClick={async () => toast("info", t((await copyText(secret)) ? "tfa.copied" : "tfa.copyFailed"))}>{t("tfa.copy")}</Button>
            </div>
          </div>
          <form onSubmit={submit} noValidate className="space-y-3">
            <p className="text-sm font-medium">{t("tfa.step2")}</p>
            <Field label={t("tfa.code")} {...form.register("code", { setValueAs: (v: string) => toAsciiDigits(v) })}
              inputMode="numeric" autoComplete="one-time-code" maxLength={7} dir="ltr" className="max-w-48"
              error={codeError ? t(codeError as MessageKey) : undefined} />
            {form.formState.errors.root && <p role="alert" className={bad}>{form.formState.errors.root.message}</p>}
            <Button type="submit" disabled={confirm.isPending}>{t("tfa.confirm")}</Button>
          </form>
        </div>
      </div>
    </Card>
  );
}

/** A password-confirmed action (turning off, new recovery codes). */
function PasswordAction({ title, intro, action, variant, testid, onSubmit }: {
  title: string; intro: string; action: string; variant: "danger" | "secondary"; testid: string;
  onSubmit: (password: string) => Promise<void>;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const form = useForm<z.infer<typeof passwordSchema>>({ resolver: zodResolver(passwordSchema), defaultValues: { password: "" } });
  const err = form.formState.errors.password?.message;
  const submit = form.handleSubmit(async (v) => {
    try {
      await onSubmit(v.password);
      form.reset();
      setOpen(false);
    } catch (e) {
      if (e instanceof ApiError && e.fieldReason("password")) form.setError("password", { message: "tfa.passwordWrong" });
      else form.setError("root", { message: e instanceof Error ? e.message : String(e) });
    }
  });
  return (
    <Card className="space-y-3" data-testid={testid}>
      <h2 className="font-semibold">{title}</h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">{intro}</p>
      {!open ? (
        <Button variant={variant} onClick={() => setOpen(true)}>{action}</Button>
      ) : (
        <form onSubmit={submit} noValidate className="space-y-3">
          <Field label={t("tfa.password")} type="password" autoComplete="current-password" dir="ltr" className="max-w-sm" autoFocus
            {...form.register("password")} error={err ? t(err as MessageKey) : undefined} />
          {form.formState.errors.root && <p role="alert" className={bad}>{form.formState.errors.root.message}</p>}
          <div className="flex flex-wrap gap-2">
            <Button type="submit" variant={variant === "danger" ? "danger" : "primary"} disabled={form.formState.isSubmitting}>{action}</Button>
            <Button type="button" variant="ghost" onClick={() => { form.reset(); setOpen(false); }}>{t("tfa.cancel")}</Button>
          </div>
        </form>
      )}
    </Card>
  );
}

/**
 * The two-factor page: state, enrolment with a QR code drawn in the browser,
 * recovery codes shown once, new recovery codes and turning it off (both
 * with the password).
 */
export function TwoFactorSettings() {
  const { t, number } = useI18n();
  const toast = useToast();
  const me = useMe();
  const status = useTOTPStatus();
  const disable = useDisableTOTP();
  const regen = useRegenerateRecoveryCodes();
  const errorText = useErrorText();
  // shown once: held here only, forgotten when the user says they saved them
  const [codes, setCodes] = useState<string[] | null>(null);

  const header = (
    <div className="space-y-2">
      <h1 className="text-2xl font-bold">{t("tfa.title")}</h1>
      <p className="text-slate-600 dark:text-slate-300">{t("tfa.intro")}</p>
    </div>
  );

  if (codes) {
    return (
      <div className="max-w-3xl space-y-4">
        {header}
        <RecoveryCodesPanel codes={codes} email={me.data?.email ?? ""} onDone={() => setCodes(null)} />
      </div>
    );
  }
  if (status.isPending) {
    return <div className="max-w-3xl space-y-4" aria-busy>{header}<Skeleton className="h-24 w-full" /><Skeleton className="h-40 w-full" /></div>;
  }
  if (status.isError) {
    return (
      <div className="max-w-3xl space-y-4">
        {header}
        <Card role="alert" className="flex flex-col items-center gap-3 text-center">
          <p className="text-red-600 dark:text-red-400">{t("tfa.error")}</p>
          <Button variant="secondary" onClick={() => status.refetch()}>{t("orders.retry")}</Button>
        </Card>
      </div>
    );
  }
  const st = status.data;
  const mustEnrol = !!me.data?.totp_setup_required || (st.required && !st.enabled);

  return (
    <div className="max-w-3xl space-y-4">
      {header}
      {mustEnrol && <p role="alert" className={warn} data-testid="totp-required">{t("tfa.required")}</p>}
      <Card>
        <dl className="flex flex-wrap items-center gap-x-8 gap-y-3 text-sm">
          <div className="flex items-center gap-2">
            <dt className="text-slate-600 dark:text-slate-300">{t("tfa.status")}</dt>
            <dd data-testid="totp-state" data-enabled={st.enabled}
              className={`rounded-full px-2.5 py-0.5 text-xs font-medium ${st.enabled ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200" : "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200"}`}>
              {t(st.enabled ? "tfa.statusOn" : "tfa.statusOff")}
            </dd>
          </div>
          {st.enabled && (
            <div className="flex items-center gap-2">
              <dt className="text-slate-600 dark:text-slate-300">{t("tfa.codesLeftLabel")}</dt>
              <dd className={`font-medium tabular-nums ${st.recovery_codes_left <= 2 ? "text-amber-700 dark:text-amber-300" : ""}`} data-testid="codes-left">{number(st.recovery_codes_left)}</dd>
            </div>
          )}
          {st.required && (
            <div className="flex items-center gap-2">
              <dt className="sr-only">{t("tfa.policy")}</dt>
              <dd className="rounded-full bg-indigo-50 px-2.5 py-0.5 text-xs font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300">{t("tfa.requiredByRole")}</dd>
            </div>
          )}
        </dl>
        {st.enabled && st.recovery_codes_left <= 2 && <p className={`${warn} mt-3`}>{t("tfa.fewCodes")}</p>}
      </Card>

      {!st.enabled && <Enrol onCodes={setCodes} />}

      {st.enabled && (
        <>
          <PasswordAction testid="totp-regenerate" title={t("tfa.regenTitle")} intro={t("tfa.regenIntro")} action={t("tfa.regen")} variant="secondary"
            onSubmit={async (password) => {
              try {
                setCodes(await regen.mutateAsync(password));
              } catch (e) {
                if (e instanceof ApiError && e.fieldReason("password")) throw e;
                throw new Error(errorText(e));
              }
            }} />
          {st.required ? (
            <Card className="space-y-2" data-testid="totp-disable">
              <h2 className="font-semibold">{t("tfa.disableTitle")}</h2>
              <p className={warn}>{t("tfa.cannotDisable")}</p>
            </Card>
          ) : (
            <PasswordAction testid="totp-disable" title={t("tfa.disableTitle")} intro={t("tfa.disableIntro")} action={t("tfa.disable")} variant="danger"
              onSubmit={async (password) => {
                try {
                  await disable.mutateAsync(password);
                  toast("info", t("tfa.disabledToast"));
                } catch (e) {
                  if (e instanceof ApiError && e.fieldReason("password")) throw e;
                  throw new Error(e instanceof ApiError && e.reason === "totp_required_by_role" ? t("tfa.cannotDisable") : errorText(e));
                }
              }} />
          )}
        </>
      )}
    </div>
  );
}
