"use client";
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import { useMemo, useState } from "react";
import { can, useMe } from "@/lib/me";
import { roleName, useRoles } from "@/features/roles";
import type { BulkOutcome } from "@/lib/bulk";
import { explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { plural } from "@/lib/plural";
import { useDraft, useUrlState } from "@/lib/urlState";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { BulkReport, DataTable, useRowSelection } from "@/components/ui/DataTable";
import { Field, Select } from "@/components/ui/Field";
import { useBulkDeactivate, userFiltersCodec, userStatus, userStatuses, useUsers, type User, type UserStatus } from "../api";
import { explainUserError } from "../errors";
import { SuperuserBadge, UserStatusBadge } from "./UserStatusBadge";

const col = createColumnHelper<User>();
const rowId = (u: User) => String(u.id);

/** The users table: page, search and filters live in the URL; selected users are deactivated together. */
export function UsersList() {
  const { t, date, locale } = useI18n();
  const url = useUrlState(userFiltersCodec);
  const filters = url.state;
  const me = useMe();
  const users = useUsers(filters);
  const roles = useRoles();
  const [q, setQ, flushQ] = useDraft(filters.q, (v) => url.update({ q: v }));

  const data = useMemo(() => users.data?.items ?? [], [users.data]);
  const selection = useRowSelection(data, rowId);
  const deactivate = useBulkDeactivate();
  const [confirming, setConfirming] = useState(false);
  const [report, setReport] = useState<BulkOutcome<User> | null>(null);

  async function deactivateSelected() {
    const outcome = await deactivate.mutateAsync(selection.selectedRows);
    setConfirming(false);
    selection.clear();
    setReport(outcome);
  }

  const columns = useMemo(
    () => [
      col.accessor("name", {
        header: () => t("users.name"),
        cell: (c) => (
          <span className="flex flex-wrap items-center gap-2">
            <Link prefetch={false} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400" href={`/users/detail?id=${c.row.original.id}`}>
              {c.getValue() || <span className="font-normal text-slate-500 dark:text-slate-400">{t("users.noName")}</span>}
            </Link>
            {c.row.original.is_superuser && <SuperuserBadge />}
            {me.data?.id === c.row.original.id && <span className="text-xs text-slate-500 dark:text-slate-400">{t("users.you")}</span>}
          </span>
        ),
      }),
      col.accessor("email", { header: () => t("users.email"), cell: (c) => <Link prefetch={false} href={`/users/detail?id=${c.row.original.id}`} dir="ltr" className="whitespace-nowrap hover:underline" tabIndex={-1}>{c.getValue()}</Link> }),
      col.accessor("roles", {
        header: () => t("users.roles"),
        cell: (c) => c.getValue().length === 0
          ? <span className="text-slate-400 dark:text-slate-500">—</span>
          : <ul className="flex flex-wrap gap-1">{c.getValue().map((r) => <li key={r.id} className="whitespace-nowrap rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700 dark:bg-slate-700 dark:text-slate-200">{roleName(locale, r.name)}</li>)}</ul>,
      }),
      col.display({ id: "status", header: () => t("users.status"), cell: (c) => <UserStatusBadge status={userStatus(c.row.original)} /> }),
      col.accessor("created_at", { header: () => t("users.createdAt"), cell: (c) => <span className="whitespace-nowrap">{date(c.getValue())}</span> }),
    ],
    [t, date, locale, me.data?.id],
  );

  const total = users.data?.total ?? 0;
  const filtered = url.isFiltered({ pageSize: 20 });
  const n = selection.count;

  return (
    <div className="space-y-4">
      <div className="flex min-h-9 flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("users.title")}</h1>
        {can(me.data, "users.manage") && (
          <Link prefetch={false} href="/users/new" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">{t("users.inviteButton")}</Link>
        )}
      </div>
      <Card>
        <form role="search" onSubmit={(e) => { e.preventDefault(); flushQ(); }} className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Field label={t("users.search")} className="lg:col-span-2" value={q} onChange={(e) => setQ(e.target.value)} type="search" name="q" maxLength={200} />
          <Select label={t("users.role")} name="role_id" value={filters.roleId || ""} onChange={(e) => url.update({ roleId: Number(e.target.value) || 0 })}>
            <option value="">{t("users.allRoles")}</option>
            {(roles.data ?? []).map((r) => <option key={r.id} value={r.id}>{roleName(locale, r.name)}</option>)}
            {filters.roleId > 0 && roles.isSuccess && !roles.data.some((r) => r.id === filters.roleId) && <option value={filters.roleId}>#{filters.roleId}</option>}
          </Select>
          <Select label={t("users.status")} name="status" value={filters.status} onChange={(e) => url.update({ status: e.target.value as UserStatus | "" })}>
            <option value="">{t("users.allStatuses")}</option>
            {userStatuses.map((s) => <option key={s} value={s}>{t(`users.status.${s}`)}</option>)}
          </Select>
        </form>
        {filtered && <Button variant="ghost" className="mt-2" onClick={() => url.reset()}>{t("orders.clear")}</Button>}
      </Card>

      {report && <BulkReport outcome={report} name={(u) => u.name || u.email} explain={(e) => explainUserError(t, e)} onDismiss={() => setReport(null)} />}

      <DataTable
        label={t("users.list")}
        data={data}
        columns={columns}
        getRowId={rowId}
        // the checkbox column waits for who the user is: added under rows already shown, it would move every cell
        loading={users.isPending || (me.isPending && !users.isError)}
        fetching={users.isFetching}
        rowAttributes={(u) => ({ "data-user-id": u.id, "data-email": u.email })}
        selection={can(me.data, "users.manage") ? {
          rows: selection,
          rowName: (u) => u.name || u.email,
          actions: <Button variant="danger" className="px-3 py-1.5" onClick={() => setConfirming(true)} data-testid="bulk-deactivate">{t("users.bulk.deactivate")}</Button>,
        } : undefined}
        empty={(
          <div className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="users-empty">
            <p>{filtered ? t("users.empty") : t("users.emptyNone")}</p>
            {filtered && <Button variant="secondary" className="mt-3" onClick={() => url.reset()}>{t("orders.clear")}</Button>}
          </div>
        )}
        error={users.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{explainListError(t, users.error, "users.error")}</p>
            <Button variant="secondary" onClick={() => users.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
        paging={users.isError ? undefined : {
          mode: "page", summary: t(total === 1 ? "users.totalCountOne" : "users.totalCount", { total }), page: filters.page, pages: users.data?.total_pages ?? filters.page,
          pageSize: filters.pageSize, onPage: url.setPage, onPageSize: (pageSize) => url.update({ pageSize }),
        }}
      />

      <ConfirmDialog open={confirming} title={plural(locale, n, { one: t("users.bulk.confirmTitle.one"), other: t("users.bulk.confirmTitle.other") })}
        confirmLabel={t("users.bulk.confirm")} cancelLabel={t("users.bulk.cancel")} danger busy={deactivate.isPending} onConfirm={deactivateSelected} onCancel={() => setConfirming(false)}>
        <p>{t("users.bulk.confirmBody")}</p>
      </ConfirmDialog>
    </div>
  );
}
