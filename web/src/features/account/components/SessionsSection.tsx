"use client";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useId, useMemo, useState } from "react";
import { can, useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, SkeletonRows } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { describeUserAgent, useRevokeSession, useSessions, type Session } from "../api";
import { errorText } from "./errorText";
import { Pager } from "./Pager";

const col = createColumnHelper<Session>();
const th = "px-3 py-3 text-start font-medium";

/** "Chrome 131 on Windows", or as much of it as the user agent tells. */
export function useDeviceName() {
  const { t } = useI18n();
  return (ua: string) => {
    const { browser, os } = describeUserAgent(ua);
    if (browser && os) return t("sessions.deviceOn", { browser, os });
    return browser || os || t("sessions.unknownDevice");
  };
}

/**
 * Live sessions: the caller's, or (with users.manage, kept in the URL as
 * ?all=1) everyone's with a user column. Ending the current one logs out.
 */
export function SessionsSection({ all, page, onChange }: { all: boolean; page: number; onChange: (v: { all?: boolean; page: number }) => void }) {
  const { t, dateTime } = useI18n();
  const toast = useToast();
  const me = useMe();
  const mayAll = can(me.data, "users.manage");
  const showAll = all && mayAll;
  const sessions = useSessions(showAll, page, me.isSuccess);
  const revoke = useRevokeSession();
  const device = useDeviceName();
  const [confirm, setConfirm] = useState<Session | null>(null);
  const toggleId = useId();

  const doRevoke = async () => {
    if (!confirm) return;
    try {
      await revoke.mutateAsync(confirm);
      if (confirm.current) return; // on the way to the login page
      toast("info", t("sessions.revoked"));
    } catch (e) {
      toast(e instanceof ApiError && e.status === 404 ? "info" : "error", e instanceof ApiError && e.status === 404 ? t("sessions.gone") : errorText(t, e));
    }
    setConfirm(null);
  };

  const columns = useMemo(
    () => [
      col.display({
        id: "device",
        header: () => t("sessions.device"),
        cell: (c) => {
          const s = c.row.original;
          return (
            <div className="flex flex-wrap items-center gap-2">
              <span className="whitespace-nowrap font-medium" title={s.user_agent || undefined}>{device(s.user_agent)}</span>
              {s.current && (
                <span data-testid="this-device" className="inline-block whitespace-nowrap rounded-full bg-indigo-100 px-2.5 py-0.5 text-xs font-medium text-indigo-800 dark:bg-indigo-900/60 dark:text-indigo-200">
                  {t("sessions.thisDevice")}
                </span>
              )}
            </div>
          );
        },
      }),
      ...(showAll ? [col.accessor("user", { header: () => t("sessions.user"), cell: (c) => <span dir="ltr" className="break-all" data-user-id={c.getValue().id}>{c.getValue().email}</span> })] : []),
      col.accessor("ip", { header: () => t("sessions.ip"), cell: (c) => (c.getValue() ? <span dir="ltr" className="whitespace-nowrap font-mono text-xs">{c.getValue()}</span> : <span aria-hidden>{"—"}</span>) }),
      col.accessor("created_at", { header: () => t("sessions.created"), cell: (c) => <time dateTime={c.getValue()} className="whitespace-nowrap">{dateTime(c.getValue())}</time> }),
      col.accessor("last_seen_at", { header: () => t("sessions.lastSeen"), cell: (c) => <time dateTime={c.getValue()} className="whitespace-nowrap">{dateTime(c.getValue())}</time> }),
      col.display({
        id: "actions",
        header: () => <span className="sr-only">{t("sessions.actions")}</span>,
        cell: (c) => (
          <Button variant="secondary" className="px-2.5 py-1 text-xs text-red-700 dark:text-red-300" onClick={() => setConfirm(c.row.original)}
            aria-label={`${t("sessions.revoke")}: ${device(c.row.original.user_agent)}${c.row.original.current ? ` (${t("sessions.thisDevice")})` : ""}`} data-testid="session-revoke">
            {t("sessions.revoke")}
          </Button>
        ),
      }),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, dateTime, showAll],
  );
  const data = useMemo(() => sessions.data?.items ?? [], [sessions.data]);
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), manualPagination: true, getRowId: (r) => String(r.id) });
  const err = sessions.error instanceof ApiError ? sessions.error : null;

  return (
    <section aria-labelledby="sessions-title" id="sessions" className="scroll-mt-4 space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="max-w-3xl space-y-1">
          <h2 id="sessions-title" className="text-xl font-semibold">{t("sessions.title")}</h2>
          <p className="text-sm text-slate-600 dark:text-slate-300">{showAll ? t("sessions.introAll") : t("sessions.intro")}</p>
        </div>
        {mayAll && (
          <label htmlFor={toggleId} className="flex cursor-pointer items-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium dark:border-slate-600 dark:bg-slate-800">
            <input id={toggleId} type="checkbox" role="switch" checked={showAll} data-testid="sessions-all"
              onChange={(e) => onChange({ all: e.target.checked, page: 1 })} className="size-4 accent-indigo-600" />
            {t("sessions.all")}
          </label>
        )}
      </div>

      <Card className="relative overflow-x-auto p-0">
        {/* a new table once the rows are in: header cells kept from the skeleton would move as the columns take the rows' widths */}
        <table key={sessions.isPending ? "loading" : "rows"} className="w-full text-sm" aria-labelledby="sessions-title" aria-busy={sessions.isFetching}>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-400">
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>{hg.headers.map((h) => <th key={h.id} scope="col" className={th}>{flexRender(h.column.columnDef.header, h.getContext())}</th>)}</tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-700">
            {sessions.isPending && <SkeletonRows rows={2} columns={columns.length} cellClassName="px-3 py-3" />}
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} data-session-id={row.original.id} data-current={row.original.current || undefined}
                className={row.original.current ? "bg-indigo-50/50 dark:bg-indigo-950/30" : "hover:bg-slate-50 dark:hover:bg-slate-700/40"}>
                {row.getVisibleCells().map((cell) => <td key={cell.id} className="px-3 py-2.5 align-middle">{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
        {sessions.isSuccess && data.length === 0 && <p className="p-8 text-center text-slate-500 dark:text-slate-400">{t("sessions.empty")}</p>}
        {sessions.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{err?.status === 403 ? t("error.forbidden") : err?.code === "INTERNAL" ? t("error.generic", { id: err.requestId }) : t("sessions.error")}</p>
            <Button variant="secondary" onClick={() => sessions.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
        {sessions.isSuccess && (
          <Pager label={t("sessions.title")} page={page} pages={sessions.data.total_pages} total={t("sessions.totalCount", { total: sessions.data.total })} onPage={(p) => onChange({ page: p })} />
        )}
      </Card>

      <ConfirmDialog open={!!confirm} title={t("sessions.revokeQuestion")} confirmLabel={t("sessions.revokeConfirm")} cancelLabel={t("account.cancel")}
        danger busy={revoke.isPending} onConfirm={doRevoke} onCancel={() => setConfirm(null)}>
        {confirm && (
          <>
            <p className="font-medium text-slate-900 dark:text-slate-100">
              {device(confirm.user_agent)}
              {confirm.ip && <> · <span dir="ltr" className="font-mono text-xs">{confirm.ip}</span></>}
              {showAll && <> · <span dir="ltr">{confirm.user.email}</span></>}
            </p>
            <p className={confirm.current ? "rounded-md bg-amber-50 p-2 text-amber-900 dark:bg-amber-950 dark:text-amber-200" : undefined}>
              {t(confirm.current ? "sessions.revokeCurrentBody" : "sessions.revokeBody")}
            </p>
          </>
        )}
      </ConfirmDialog>
    </section>
  );
}
