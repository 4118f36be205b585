"use client";
import { useEffect, useId, useRef, type ReactNode } from "react";
import { copyText } from "@/lib/clipboard";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import type { Invite } from "../api";

/**
 * A one-time set-password link. When the server emailed it, only that is
 * said; otherwise the link is shown this once (it lives only in the
 * parent's state), with a copy button and a warning.
 */
export function InviteLinkPanel({ invite, email, title, children }: { invite: Invite; email: string; title: string; children?: ReactNode }) {
  const { t, dateTime } = useI18n();
  const toast = useToast();
  const heading = useRef<HTMLHeadingElement>(null);
  const inputId = useId();
  useEffect(() => heading.current?.focus(), []);
  const expires = dateTime(invite.expires_at);
  return (
    <Card className="space-y-4 border-amber-300 dark:border-amber-700" data-testid="invite-result" data-emailed={invite.emailed}>
      <h2 ref={heading} tabIndex={-1} className="text-lg font-semibold focus:outline-none">{title}</h2>
      {invite.emailed || !invite.url ? (
        <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950 dark:text-emerald-200">
          {t("invite.emailed", { email, expires })}
        </p>
      ) : (
        <>
          <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">
            {t("invite.shownOnce", { email, expires })}
          </p>
          <div>
            <label htmlFor={inputId} className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{t("invite.link")}</label>
            <div className="flex flex-col gap-2 sm:flex-row">
              <input id={inputId} readOnly value={invite.url} dir="ltr" data-testid="invite-url" onFocus={(e) => e.currentTarget.select()}
                className="block w-full min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100" />
              <Button variant="secondary" onClick={async () => toast("info", t((await copyText(invite.url!)) ? "invite.copied" : "invite.copyFailed"))}>{t("invite.copy")}</Button>
            </div>
          </div>
        </>
      )}
      {children && <div className="flex flex-wrap gap-2 border-t border-slate-200 pt-4 dark:border-slate-700">{children}</div>}
    </Card>
  );
}
