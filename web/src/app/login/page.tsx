"use client";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { LoginForm } from "@/features/auth";
import { Card } from "@/components/ui/Card";
import { useI18n } from "@/lib/i18n";
import { useDocumentTitle } from "@/lib/title";

/** Only same-site paths are followed after login; home is the dashboard (or the orders list without statistics). */
function safeNext(next: string | null) {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function Login() {
  useDocumentTitle("login.title");
  const { t, locale, setLocale } = useI18n();
  const router = useRouter();
  const sp = useSearchParams();
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-50 p-4 dark:bg-slate-900">
      <Card className="w-full max-w-sm p-6">
        <div className="mb-6 flex items-center justify-between">
          <h1 className="text-xl font-bold text-slate-900 dark:text-slate-100">{t("login.title")}</h1>
          <button type="button" lang={locale === "fa" ? "en" : "fa"} className="text-sm text-indigo-600 hover:underline dark:text-indigo-400" onClick={() => setLocale(locale === "fa" ? "en" : "fa")}>{t("menu.language")}</button>
        </div>
        <LoginForm onDone={() => router.replace(safeNext(sp.get("next")))} />
      </Card>
    </main>
  );
}

export default function LoginPage() {
  return <Suspense><Login /></Suspense>;
}
