"use client";
import { useRouter } from "next/navigation";
import { Suspense, useEffect } from "react";
import { AppShell } from "@/components/AppShell";
import { can, useMe } from "@/features/auth/api";
import { Dashboard } from "@/features/stats/components/Dashboard";

/** Home: the dashboard for those who may see statistics; everyone else lands on the orders list, as before. */
export default function Home() {
  const router = useRouter();
  const me = useMe();
  const dashboard = can(me.data, "stats.view");
  useEffect(() => {
    if (me.data && !dashboard) router.replace("/orders");
  }, [me.data, dashboard, router]);
  return <AppShell>{dashboard && <Suspense><Dashboard /></Suspense>}</AppShell>;
}
