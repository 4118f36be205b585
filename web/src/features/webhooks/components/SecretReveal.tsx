"use client";
import { useEffect, useRef, useState } from "react";
import { copyText } from "@/lib/clipboard";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";

/**
 * A webhook's signing secret, shown this once (after creation or rotation):
 * the server keeps it only encrypted and never shows it again. It takes
 * focus when it appears, offers a copy button, and is gone for good once
 * dismissed (the caller drops the only copy the page had).
 */
export function SecretReveal({ secret, url, onDismiss }: { secret: string; url: string; onDismiss: () => void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const [copied, setCopied] = useState<"" | "ok" | "failed">("");
  useEffect(() => ref.current?.focus(), [secret]);
  return (
    <div ref={ref} tabIndex={-1} role="alert" data-testid="secret-reveal"
      className="space-y-3 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100">
      <p className="font-semibold">{t("webhooks.secret.title")}</p>
      <p>{t("webhooks.secret.warning")}</p>
      <p className="text-xs"><bdi dir="ltr">{url}</bdi></p>
      <div className="flex flex-wrap items-center gap-2">
        <label className="sr-only" htmlFor="webhook-secret">{t("webhooks.secret.label")}</label>
        <input id="webhook-secret" readOnly value={secret} dir="ltr" data-testid="secret-value" onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-amber-300 bg-white px-3 py-2 font-mono text-xs dark:border-amber-700 dark:bg-slate-900" />
        <Button variant="secondary" data-testid="secret-copy" onClick={async () => setCopied((await copyText(secret)) ? "ok" : "failed")}>{t("webhooks.secret.copy")}</Button>
      </div>
      <p role="status" className="min-h-4 text-xs">{copied === "ok" ? t("webhooks.secret.copied") : copied === "failed" ? t("webhooks.secret.copyFailed") : ""}</p>
      <Button onClick={onDismiss} data-testid="secret-dismiss">{t("webhooks.secret.done")}</Button>
    </div>
  );
}
