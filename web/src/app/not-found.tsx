"use client";
import Link from "next/link";
import { useI18n } from "@/lib/i18n";
import { useDocumentTitle } from "@/lib/title";

export default function NotFound() {
  useDocumentTitle("notFound.title");
  const { t } = useI18n();
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 bg-slate-50 p-6 text-center text-slate-900 dark:bg-slate-900 dark:text-slate-100">
      <p className="text-6xl font-bold text-indigo-600 dark:text-indigo-400">{"404"}</p>
      <h1 className="text-xl font-semibold">{t("notFound.title")}</h1>
      <p className="text-slate-600 dark:text-slate-300">{t("notFound.body")}</p>
      <Link prefetch={false} href="/orders" className="text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("notFound.home")}</Link>
    </main>
  );
}
