"use client";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useEffect, useMemo, useRef, useState } from "react";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, SkeletonRows } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { ApiError } from "@/lib/api/client";
import { tokenStatus, useRevokeToken, useTokens, type CreatedToken, type Token, type TokenStatus } from "../api";
import { CreateTokenForm } from "./CreateTokenForm";
import { errorText } from "./errorText";
import { Pager } from "./Pager";
import { TokenSecret } from "./TokenSecret";

const col = createColumnHelper<Token>();
const th = "px-3 py-3 text-start font-medium";

const statusColors: Record<TokenStatus, string> = {
  active: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  expired: "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200",
  revoked: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
};

function PermissionChips({ permissions }: { permissions: string[] }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const shown = open || permissions.length <= 3 ? permissions : permissions.slice(0, 2);
  return (
    <div className="flex max-w-xs flex-wrap items-center gap-1">
      {shown.map((p) => <code key={p} dir="ltr" className="whitespace-nowrap rounded bg-slate-100 px-1.5 py-0.5 text-xs dark:bg-slate-700">{p}</code>)}
      {permissions.length > 3 && (
        <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}
          className="rounded px-1 text-xs font-medium text-indigo-600 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-indigo-400">
          {open ? t("tokens.less") : t("tokens.more", { n: permissions.length - 2 })}
        </button>
      )}
    </div>
  );
}

/** The caller's API tokens: the list (page in the URL), creating one (its secret shown once) and revoking. */
export function TokensSection({ page, onPage }: { page: number; onPage: (page: number) => void }) {
  const { t, date, dateTime } = useI18n();
  const toast = useToast();
  const tokens = useTokens(page);
  const revoke = useRevokeToken();
  const [creating, setCreating] = useState(false);
  // the new token's secret: held here only, until the user closes the panel
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [confirm, setConfirm] = useState<Token | null>(null);
  // closing the form or the secret puts focus back on "New token"
  const head = useRef<HTMLDivElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (!creating && !created && refocus.current) head.current?.querySelector<HTMLButtonElement>('[data-testid="token-new"]')?.focus();
    refocus.current = false;
  }, [creating, created]);
  const now = new Date(tokens.dataUpdatedAt || Date.now());

  const doRevoke = async () => {
    if (!confirm) return;
    try {
      await revoke.mutateAsync(confirm.id);
      toast("info", t("tokens.revoked", { name: confirm.name }));
    } catch (e) {
      // already gone: the refreshed list shows what happened
      if (!(e instanceof ApiError && e.status === 404)) toast("error", errorText(t, e));
    }
    setConfirm(null);
  };

  const columns = useMemo(
    () => [
      col.accessor("name", { header: () => t("tokens.name"), cell: (c) => <div className="min-w-32 max-w-60 font-medium break-words"><bdi>{c.getValue()}</bdi></div> }),
      col.accessor("prefix", { header: () => t("tokens.prefix"), cell: (c) => <code dir="ltr" className="whitespace-nowrap font-mono text-xs">{c.getValue()}…</code> }),
      col.accessor("permissions", { header: () => t("tokens.permissions"), cell: (c) => <PermissionChips permissions={c.getValue()} /> }),
      // the day is what matters here; the exact time is in the tooltip
      col.accessor("created_at", { header: () => t("tokens.created"), cell: (c) => <time dateTime={c.getValue()} title={dateTime(c.getValue())} className="whitespace-nowrap">{date(c.getValue())}</time> }),
      col.accessor("expires_at", { header: () => t("tokens.expires"), cell: (c) => <time dateTime={c.getValue()} title={dateTime(c.getValue())} className="whitespace-nowrap">{date(c.getValue())}</time> }),
      col.accessor("last_used_at", {
        header: () => t("tokens.lastUsed"),
        cell: (c) => {
          const v = c.getValue();
          return v ? <time dateTime={v} className="whitespace-nowrap">{dateTime(v)}</time> : <span className="text-slate-500 dark:text-slate-400">{t("tokens.never")}</span>;
        },
      }),
      col.display({
        id: "status",
        header: () => t("tokens.status"),
        cell: (c) => {
          const s = tokenStatus(c.row.original, now);
          return <span data-testid="token-status" className={`inline-block whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium ${statusColors[s]}`}>{t(`tokens.status.${s}`)}</span>;
        },
      }),
      col.display({
        id: "actions",
        header: () => <span className="sr-only">{t("tokens.actions")}</span>,
        cell: (c) =>
          tokenStatus(c.row.original, now) === "active" ? (
            <Button variant="secondary" className="px-2.5 py-1 text-xs text-red-700 dark:text-red-300" onClick={() => setConfirm(c.row.original)}
              aria-label={`${t("tokens.revoke")}: ${c.row.original.name}`} data-testid="token-revoke">
              {t("tokens.revoke")}
            </Button>
          ) : null,
      }),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, date, dateTime, tokens.dataUpdatedAt],
  );
  const data = useMemo(() => tokens.data?.items ?? [], [tokens.data]);
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), manualPagination: true, getRowId: (r) => String(r.id) });

  return (
    <section aria-labelledby="tokens-title" id="tokens" className="scroll-mt-4 space-y-3">
      <div ref={head} className="flex flex-wrap items-start justify-between gap-3">
        <div className="max-w-3xl space-y-1">
          <h2 id="tokens-title" className="text-xl font-semibold">{t("tokens.title")}</h2>
          <p className="text-sm text-slate-600 dark:text-slate-300">{t("tokens.intro")}</p>
        </div>
        {!creating && !created && <Button onClick={() => setCreating(true)} data-testid="token-new">{t("tokens.new")}</Button>}
      </div>

      {created && <TokenSecret created={created} onDone={() => { refocus.current = true; setCreated(null); }} />}
      {creating && <CreateTokenForm onCreated={(c) => { setCreating(false); setCreated(c); }} onCancel={() => { refocus.current = true; setCreating(false); }} />}

      <Card className="relative overflow-x-auto p-0">
        {/* a new table once the rows are in: header cells kept from the skeleton would move as the columns take the rows' widths */}
        <table key={tokens.isPending ? "loading" : "rows"} className="w-full text-sm" aria-labelledby="tokens-title" aria-busy={tokens.isFetching}>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-400">
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>{hg.headers.map((h) => <th key={h.id} scope="col" className={th}>{flexRender(h.column.columnDef.header, h.getContext())}</th>)}</tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-700">
            {/* two rows: about the height of "no tokens yet" and of a couple of tokens, so the sections under it stay put */}
            {tokens.isPending && <SkeletonRows rows={2} columns={columns.length} cellClassName="px-3 py-3" />}
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} data-token-id={row.original.id} data-status={tokenStatus(row.original, now)} className="hover:bg-slate-50 dark:hover:bg-slate-700/40">
                {row.getVisibleCells().map((cell) => <td key={cell.id} className="px-3 py-2.5 align-middle">{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
        {tokens.isSuccess && data.length === 0 && <p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="tokens-empty">{t("tokens.empty")}</p>}
        {tokens.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{tokens.error instanceof ApiError && tokens.error.status === 403 ? t("error.forbidden") : t("tokens.error")}</p>
            <Button variant="secondary" onClick={() => tokens.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
        {tokens.isSuccess && (
          <Pager label={t("tokens.title")} page={page} pages={tokens.data.total_pages} total={t("tokens.totalCount", { total: tokens.data.total })} onPage={onPage} />
        )}
      </Card>

      <ConfirmDialog open={!!confirm} title={t("tokens.revokeQuestion", { name: confirm?.name ?? "" })} confirmLabel={t("tokens.revokeConfirm")} cancelLabel={t("account.cancel")}
        danger busy={revoke.isPending} onConfirm={doRevoke} onCancel={() => setConfirm(null)}>
        <p>{t("tokens.revokeBody")}</p>
        {confirm && <p><code dir="ltr" className="font-mono text-xs">{confirm.prefix}…</code></p>}
      </ConfirmDialog>
    </section>
  );
}
