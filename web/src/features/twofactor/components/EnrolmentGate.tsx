"use client";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";
import { useMe } from "@/lib/me";
import { useI18n } from "@/lib/i18n";
import { Skeleton } from "@/components/ui/Card";

export const twoFactorPath = "/account/two-factor";

/**
 * While a role requires a second factor the user has not set up, the server
 * grants them no permission: every screen but the two-factor page sends
 * them there (the page explains why) instead of showing a wall of 403s.
 */
export function EnrolmentGate({ children }: { children: ReactNode }) {
  const me = useMe();
  const path = usePathname();
  const router = useRouter();
  const mustEnrol = !!me.data?.totp_setup_required && path !== twoFactorPath;
  useEffect(() => {
    if (mustEnrol) router.replace(twoFactorPath);
  }, [mustEnrol, router]);
  if (mustEnrol) return <div aria-busy className="space-y-4"><Skeleton className="h-8 w-64" /><Skeleton className="h-40 w-full" /></div>;
  return <>{children}</>;
}

/** The user menu's entry for the two-factor page. */
export function useTwoFactorMenuItem() {
  const { t } = useI18n();
  const router = useRouter();
  return { label: t("menu.twoFactor"), onSelect: () => router.push(twoFactorPath) };
}
