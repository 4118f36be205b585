"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { Card } from "@/components/ui/Card";
import { AcceptInvite } from "@/features/invite";
import { useI18n } from "@/lib/i18n";
import { useDocumentTitle } from "@/lib/title";

/** Public, outside the app shell (like /login): a set-password link lands here. */
function Invite() {
  useDocumentTitle("invite.title");
  const { t, locale, setLocale } = useI18n();
  const token = useSearchParams().get("token") ?? "";
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-50 p-4 dark:bg-slate-900">
      <Card className="w-full max-w-sm p-6">
        <div className="mb-6 flex items-center justify-between gap-3">
          <h1 className="text-xl font-bold text-slate-900 dark:text-slate-100">{t("invite.title")}</h1>
          <button type="button" lang={locale === "fa" ? "en" : "fa"} className="text-sm text-indigo-600 hover:underline dark:text-indigo-400" onClick={() => setLocale(locale === "fa" ? "en" : "fa")}>{t("menu.language")}</button>
        </div>
        <AcceptInvite key={token} token={token} />
      </Card>
    </main>
  );
}

export default function InvitePage() {
  return <Suspense><Invite /></Suspense>;
}
