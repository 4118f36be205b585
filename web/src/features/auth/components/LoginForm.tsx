"use client";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError } from "@/lib/api/client";
import { toAsciiDigits } from "@/lib/digits";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { useLogin } from "../api";

/** Email and password; the TOTP field appears only when the server asks for it. */
export function LoginForm({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const login = useLogin();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [needTotp, setNeedTotp] = useState(false);
  const err = login.error instanceof ApiError ? login.error : null;
  const alertRef = useRef<HTMLParagraphElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const totpRef = useRef<HTMLInputElement>(null);
  // a failed attempt moves focus to what explains it (the disabled submit button dropped it)
  useEffect(() => {
    if (!login.error) return;
    const e = login.error instanceof ApiError ? login.error : null;
    if (e?.code === "TOTP_REQUIRED" || e?.code === "INVALID_TOTP") totpRef.current?.focus();
    else if (e?.fields.email) emailRef.current?.focus();
    else if (e?.fields.password) passwordRef.current?.focus();
    else alertRef.current?.focus();
  }, [login.error]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      await login.mutateAsync({ email, password, totp: needTotp ? totp : undefined });
      onDone();
    } catch (e) {
      if (e instanceof ApiError && (e.code === "TOTP_REQUIRED" || e.code === "INVALID_TOTP")) setNeedTotp(true);
    }
  }

  let message = "";
  if (err) {
    if (err.code === "INVALID_CREDENTIALS") message = t("login.failed");
    else if (err.code === "NETWORK") message = t("error.network");
    else if (err.code !== "VALIDATION_FAILED" && err.code !== "TOTP_REQUIRED" && err.code !== "INVALID_TOTP") message = err.message;
  }
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <Field ref={emailRef} label={t("login.email")} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={err?.fields.email} dir="ltr" />
      <Field ref={passwordRef} label={t("login.password")} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={err?.fields.password} dir="ltr" />
      {needTotp && (
        <Field ref={totpRef} label={t("login.totp")} name="totp" autoComplete="one-time-code" autoCapitalize="off" spellCheck={false} maxLength={16} value={totp} onChange={(e) => setTotp(toAsciiDigits(e.target.value))}
          hint={t("login.totpHint")} error={err?.code === "INVALID_TOTP" ? t("login.totpWrong") : undefined} dir="ltr" autoFocus />
      )}
      {message && <p ref={alertRef} tabIndex={-1} role="alert" className="rounded-md focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 bg-red-50 p-3 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">{message}</p>}
      <Button type="submit" className="w-full" disabled={login.isPending}>{t("login.submit")}</Button>
    </form>
  );
}
