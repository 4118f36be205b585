"use client";
import { useRouter } from "next/navigation";
import { Suspense, useEffect } from "react";
import { can, useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Dashboard } from "./Dashboard";

/**
 * Home: the dashboard for those who may see statistics; everyone else lands
 * on the orders list. When who the user is cannot be learnt (the server
 * unreachable, a 5xx) it says so with Retry rather than staying blank.
 */
export function Home() {
  const { t } = useI18n();
  const router = useRouter();
  const me = useMe();
  const dashboard = can(me.data, "stats.view");
  useEffect(() => {
    if (me.data && !dashboard) router.replace("/orders");
  }, [me.data, dashboard, router]);
  // a 401 goes to the login page (lib/query)
  if (me.isError && !(me.error instanceof ApiError && me.error.status === 401)) {
    const e = me.error instanceof ApiError ? me.error : null;
    return (
      <Card role="alert" className="flex flex-col items-center gap-3 p-8 text-center" data-testid="home-error">
        <p className="text-red-700 dark:text-red-300">{e?.code === "INTERNAL" ? t("error.generic", { id: e.requestId }) : !e || e.code === "NETWORK" ? t("error.network") : t("dashboard.error")}</p>
        <Button variant="secondary" disabled={me.isFetching} onClick={() => me.refetch()}>{t("orders.retry")}</Button>
      </Card>
    );
  }
  return dashboard ? <Suspense><Dashboard /></Suspense> : null;
}
