"use client";
import Link from "next/link";
import { useMe } from "@/lib/me";
import { useI18n } from "@/lib/i18n";
import { useUrlState } from "@/lib/urlState";
import { Skeleton } from "@/components/ui/Card";
import { accountViewCodec, type AccountView } from "../api";
import { ChangePasswordForm } from "./ChangePasswordForm";
import { SessionsSection } from "./SessionsSection";
import { TokensSection } from "./TokensSection";

const pill = "rounded-full border border-slate-300 bg-white px-3 py-1 text-sm font-medium text-slate-700 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700";

/** The signed-in user's own things: API tokens, sessions and password. Each table's page (and "all users") lives in the URL. */
export function AccountPage() {
  const { t } = useI18n();
  const me = useMe();
  const url = useUrlState(accountViewCodec);
  const view = url.state;
  const go = (patch: Partial<AccountView>) => url.update(patch);

  return (
    <div className="space-y-8">
      <header className="space-y-3">
        <h1 className="text-2xl font-bold">{t("account.title")}</h1>
        {me.isPending ? (
          <Skeleton className="h-5 w-72" />
        ) : me.data ? (
          <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm text-slate-600 dark:text-slate-300">
            <span>{t("account.signedInAs")} <bdi dir="ltr" className="font-medium text-slate-900 dark:text-slate-100" data-testid="account-email">{me.data.email}</bdi></span>
            <span className="flex flex-wrap items-center gap-1.5">
              <span>{t("account.roles")}:</span>
              {me.data.is_superuser && <span className="rounded-full bg-indigo-50 px-2 py-0.5 text-xs font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300">{t("account.superuser")}</span>}
              {me.data.roles.map((r) => <span key={r.id} dir="auto" className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium dark:bg-slate-700">{r.name}</span>)}
              {!me.data.is_superuser && me.data.roles.length === 0 && <span className="text-xs">{t("account.noRoles")}</span>}
            </span>
          </div>
        ) : null}
        <nav aria-label={t("account.onThisPage")} className="flex flex-wrap gap-2">
          <a href="#tokens" className={pill}>{t("tokens.title")}</a>
          <a href="#sessions" className={pill}>{t("sessions.title")}</a>
          <a href="#password" className={pill}>{t("password.title")}</a>
          <Link prefetch={false} href="/account/two-factor" className={pill}>{t("account.twoFactor")}</Link>
        </nav>
      </header>
      <TokensSection page={view.tokensPage} onPage={(p) => go({ tokensPage: p })} />
      <SessionsSection all={view.all} page={view.sessionsPage} onChange={(v) => go({ ...(v.all !== undefined ? { all: v.all } : {}), sessionsPage: v.page })} />
      <ChangePasswordForm />
    </div>
  );
}
