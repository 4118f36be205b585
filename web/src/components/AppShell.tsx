"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { can, useMe } from "@/lib/me";
import { LiveEvents, useLiveState } from "@/lib/events";
import { useFocusRescue, useHeadingFocusOnArrival } from "@/lib/focusRescue";
import { useI18n } from "@/lib/i18n";
import { rialUnitPref } from "@/lib/money";
import type { MessageKey } from "@/lib/messages";
import { useTheme } from "@/lib/theme";
import { Skeleton } from "./ui/Card";
import { KeyboardShortcuts } from "./KeyboardShortcuts";
import { NavDrawer } from "./NavDrawer";
import { UserMenu, type MenuItem } from "./UserMenu";

/** permission: the one needed, or a list of which any one will do. */
const nav: { href: string; label: MessageKey; permission: string | string[] }[] = [
  { href: "/", label: "nav.dashboard", permission: "stats.view" },
  { href: "/orders", label: "nav.orders", permission: "orders.view" },
  { href: "/media", label: "nav.media", permission: "media.view" },
  // content wave (webui-lists)
  { href: "/posts", label: "nav.blog", permission: "content.view" },
  { href: "/projects", label: "nav.portfolio", permission: "content.view" },
  { href: "/webhooks", label: "nav.webhooks", permission: "webhooks.manage" },
  // the website chatbot: the inbox and its knowledge base
  { href: "/chat", label: "nav.chat", permission: "chatbot.view" },
  { href: "/faq", label: "nav.faq", permission: "chatbot.view" },
  { href: "/users", label: "nav.users", permission: "users.view" },
  { href: "/roles", label: "nav.roles", permission: ["users.view", "roles.manage"] },
  { href: "/audit", label: "nav.audit", permission: "audit.view" },
  { href: "/jobs", label: "nav.jobs", permission: "jobs.manage" },
];

/** The home entry is current only at home; the others for their whole section. */
const isCurrent = (href: string, path: string) => (href === "/" ? path === "/" : path === href || path.startsWith(href + "/"));

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

/**
 * The signed-in frame: sidebar (only what the user may see), header with live
 * state and user menu. It knows no feature: the app layer (app/shell.tsx)
 * passes the menu entries features add, what signing out does, and what
 * features show beside a nav entry (badges, by the entry's href).
 */
export function AppShell({ children, menuItems = [], onLogout, navBadges = {} }: { children: ReactNode; menuItems?: MenuItem[]; onLogout: () => void; navBadges?: Record<string, ReactNode> }) {
  const me = useMe();
  const { t, locale, setLocale } = useI18n();
  const { theme, toggle } = useTheme();
  const rialUnit = rialUnitPref.use();
  const path = usePathname();
  const router = useRouter();
  useFocusRescue();
  useHeadingFocusOnArrival(path);
  const items = nav.filter((n) => [n.permission].flat().some((p) => can(me.data, p)));
  const navList = (
    <nav aria-label={t("appName")}>
      <ul className="space-y-1">
        {me.isPending && <li><Skeleton className="h-8 w-full" /></li>}
        {items.map((n) => (
          <li key={n.href}>
            <Link href={n.href} prefetch={false} aria-current={isCurrent(n.href, path) ? "page" : undefined}
              className="flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium hover:bg-slate-100 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-700 dark:hover:bg-slate-800 dark:aria-[current=page]:bg-indigo-950 dark:aria-[current=page]:text-indigo-300">
              <span>{t(n.label)}</span>
              {navBadges[n.href]}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
  return (
    <LiveEvents enabled={!!me.data}>
      <div className="flex min-h-screen bg-slate-50 text-slate-900 dark:bg-slate-900 dark:text-slate-100">
        <a href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }} data-testid="skip-link"
          className="sr-only rounded-md bg-indigo-700 px-4 py-2 text-sm font-medium text-white focus:not-sr-only focus:fixed focus:start-3 focus:top-3 focus:px-4 focus:py-2 focus:z-50 focus:outline-none focus:ring-2 focus:ring-white focus:ring-offset-2 focus:ring-offset-indigo-700">
          {t("skip")}
        </a>
        <aside className="hidden w-56 shrink-0 border-e border-slate-200 bg-white p-4 md:block dark:border-slate-700 dark:bg-slate-950">
          <div className="mb-6 text-lg font-bold text-indigo-600 dark:text-indigo-400">{t("appName")}</div>
          {navList}
        </aside>
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="flex items-center justify-between gap-2 border-b border-slate-200 bg-white px-4 py-3 dark:border-slate-700 dark:bg-slate-950">
            <div className="flex items-center gap-3">
              <NavDrawer path={path}>{navList}</NavDrawer>
              <span className="font-bold text-indigo-600 md:hidden dark:text-indigo-400">{t("appName")}</span>
              <LiveIndicator />
            </div>
            <UserMenu
              label={t("menu.userLabel", { name: me.data?.name || me.data?.email || "…" })}
              dir={locale === "fa" ? "rtl" : "ltr"}
              trigger={me.data?.name || me.data?.email || "…"}
              header={<div className="px-3 py-2 text-xs text-slate-500 dark:text-slate-400" dir="ltr">{me.data?.email}</div>}
              items={[
                { label: t("menu.account"), onSelect: () => router.push("/account") },
                { label: t("menu.language"), lang: locale === "fa" ? "en" : "fa", onSelect: () => setLocale(locale === "fa" ? "en" : "fa") },
                { label: t(theme === "dark" ? "menu.theme.light" : "menu.theme.dark"), onSelect: toggle },
                { label: t(rialUnit === "rial" ? "menu.money.toman" : "menu.money.rial"), onSelect: () => rialUnitPref.set(rialUnit === "rial" ? "toman" : "rial") },
                ...menuItems,
                { label: t("menu.logout"), onSelect: onLogout, danger: true },
              ]}
            />
          </header>
          <KeyboardShortcuts />
          <main id="main" tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 p-4 focus:outline-none md:p-6">{children}</main>
        </div>
      </div>
    </LiveEvents>
  );
}
