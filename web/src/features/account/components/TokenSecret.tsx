"use client";
import { useEffect, useId, useRef } from "react";
import { copyText } from "@/lib/clipboard";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import type { CreatedToken } from "../api";

/**
 * A new token's secret, shown this once: copy it, see how to use it, close.
 * The secret lives only in the parent's state; closing forgets it, and the
 * server never answers it again.
 */
export function TokenSecret({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const heading = useRef<HTMLHeadingElement>(null);
  const id = useId();
  useEffect(() => heading.current?.focus(), []);
  const origin = typeof window !== "undefined" ? window.location.origin : "";
  return (
    <Card className="space-y-4 border-amber-300 dark:border-amber-700" data-testid="token-secret-panel">
      <h3 ref={heading} tabIndex={-1} className="text-lg font-semibold focus:outline-none">{t("tokens.secret.title", { name: created.token.name })}</h3>
      <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">{t("tokens.secret.once")}</p>
      <div className="space-y-1">
        <label htmlFor={id} className="block text-sm font-medium text-slate-700 dark:text-slate-300">{t("tokens.secret.label")}</label>
        <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
          <input id={id} readOnly value={created.secret} dir="ltr" spellCheck={false} autoComplete="off" data-testid="token-secret" onFocus={(e) => e.currentTarget.select()}
            className="block w-full min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-900 focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100" />
          <Button variant="secondary" className="shrink-0" onClick={async () => toast("info", t((await copyText(created.secret)) ? "tokens.secret.copied" : "tokens.secret.copyFailed"))}>
            {t("tokens.secret.copy")}
          </Button>
        </div>
      </div>
      <div className="space-y-1">
        <p className="text-sm text-slate-600 dark:text-slate-300">{t("tokens.secret.usage")}</p>
        <pre dir="ltr" className="overflow-x-auto rounded-md bg-slate-100 p-3 text-start font-mono text-xs text-slate-800 dark:bg-slate-900 dark:text-slate-200">
          {`curl -H "Authorization: Bearer $PISHKHAN_TOKEN" ${origin}/api/auth/me`}
        </pre>
      </div>
      <div className="flex justify-end border-t border-slate-200 pt-4 dark:border-slate-700">
        <Button onClick={onDone}>{t("tokens.secret.done")}</Button>
      </div>
    </Card>
  );
}
