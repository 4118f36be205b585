"use client";
import * as Menu from "@radix-ui/react-dropdown-menu";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { can, useLogout, useMe } from "@/features/auth/api";
import { LiveEvents, useLiveState } from "@/lib/events";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { useTheme } from "@/lib/theme";
import { Skeleton } from "./ui/Card";

const nav: { href: string; label: MessageKey; permission: string }[] = [
  { href: "/orders", label: "nav.orders", permission: "orders.view" },
];

function LiveIndicator() {
  const state = useLiveState();
  const { t } = useI18n();
  const color = state === "live" ? "bg-emerald-500" : state === "connecting" ? "bg-amber-400" : "bg-red-500";
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300" data-live={state} role="status">
      <span className={`size-2 rounded-full ${color}`} aria-hidden />
      {t(`live.${state}`)}
    </span>
  );
}

/** The signed-in frame: sidebar (only what the user may see), header with live state and user menu. */
export function AppShell({ children }: { children: ReactNode }) {
  const me = useMe();
  const { t, locale, setLocale } = useI18n();
  const { theme, toggle } = useTheme();
  const logout = useLogout();
  const path = usePathname();
  const items = nav.filter((n) => can(me.data, n.permission));
  return (
    <LiveEvents enabled={!!me.data}>
      <div className="flex min-h-screen bg-slate-50 text-slate-900 dark:bg-slate-900 dark:text-slate-100">
        <aside className="hidden w-56 shrink-0 border-e border-slate-200 bg-white p-4 md:block dark:border-slate-700 dark:bg-slate-950">
          <div className="mb-6 text-lg font-bold text-indigo-600 dark:text-indigo-400">{t("appName")}</div>
          <nav aria-label={t("appName")}>
            <ul className="space-y-1">
              {me.isPending && <li><Skeleton className="h-8 w-full" /></li>}
              {items.map((n) => (
                <li key={n.href}>
                  <Link href={n.href} aria-current={path.startsWith(n.href) ? "page" : undefined}
                    className="block rounded-md px-3 py-2 text-sm font-medium hover:bg-slate-100 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-700 dark:hover:bg-slate-800 dark:aria-[current=page]:bg-indigo-950 dark:aria-[current=page]:text-indigo-300">
                    {t(n.label)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        </aside>
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="flex items-center justify-between gap-4 border-b border-slate-200 bg-white px-4 py-3 dark:border-slate-700 dark:bg-slate-950">
            <div className="flex items-center gap-3">
              <span className="font-bold text-indigo-600 md:hidden dark:text-indigo-400">{t("appName")}</span>
              {items.map((n) => (
                <Link key={n.href} href={n.href} className="text-sm font-medium md:hidden">{t(n.label)}</Link>
              ))}
              <LiveIndicator />
            </div>
            <Menu.Root dir={locale === "fa" ? "rtl" : "ltr"}>
              <Menu.Trigger className="rounded-md px-3 py-1.5 text-sm font-medium hover:bg-slate-100 dark:hover:bg-slate-800" aria-label="user menu">
                {me.data?.name || me.data?.email || "…"}
              </Menu.Trigger>
              <Menu.Portal>
                <Menu.Content align="end" sideOffset={6} className="z-50 min-w-44 rounded-md border border-slate-200 bg-white p-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100">
                  <div className="px-3 py-2 text-xs text-slate-500 dark:text-slate-400" dir="ltr">{me.data?.email}</div>
                  <Menu.Item onSelect={() => setLocale(locale === "fa" ? "en" : "fa")} className="cursor-pointer rounded px-3 py-2 outline-none data-[highlighted]:bg-slate-100 dark:data-[highlighted]:bg-slate-700">{t("menu.language")}</Menu.Item>
                  <Menu.Item onSelect={toggle} className="cursor-pointer rounded px-3 py-2 outline-none data-[highlighted]:bg-slate-100 dark:data-[highlighted]:bg-slate-700">{t(theme === "dark" ? "menu.theme.light" : "menu.theme.dark")}</Menu.Item>
                  <Menu.Separator className="my-1 h-px bg-slate-200 dark:bg-slate-700" />
                  <Menu.Item onSelect={() => logout.mutate()} className="cursor-pointer rounded px-3 py-2 text-red-600 outline-none data-[highlighted]:bg-red-50 dark:text-red-400 dark:data-[highlighted]:bg-red-950">{t("menu.logout")}</Menu.Item>
                </Menu.Content>
              </Menu.Portal>
            </Menu.Root>
          </header>
          <main className="mx-auto w-full max-w-6xl flex-1 p-4 md:p-6">{children}</main>
        </div>
      </div>
    </LiveEvents>
  );
}
