"use client";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { can, useMe } from "@/lib/me";
import { roleName, useRoles } from "@/features/roles/api";
import { ApiError } from "@/lib/api/client";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Pagination } from "@/components/ui/Pagination";
import { Card, SkeletonRows } from "@/components/ui/Card";
import { Field, Select } from "@/components/ui/Field";
import { userFiltersFromSearch, userFiltersToSearch, userStatus, userStatuses, useUsers, type User, type UserFilters, type UserStatus } from "../api";
import { SuperuserBadge, UserStatusBadge } from "./UserStatusBadge";

const col = createColumnHelper<User>();

/** The users table: page, search and filters live in the URL. */
export function UsersList() {
  const { t, date, locale } = useI18n();
  const router = useRouter();
  const pathname = usePathname();
  const sp = useSearchParams();
  const filters = useMemo(() => userFiltersFromSearch(new URLSearchParams(sp.toString())), [sp]);
  const me = useMe();
  const users = useUsers(filters);
  const roles = useRoles();
  const [q, setQ] = useState(filters.q);
  useEffect(() => setQ(filters.q), [filters.q]);

  const go = (patch: Partial<UserFilters>, resetPage = true) => {
    const next = { ...filters, ...patch, ...(resetPage && !("page" in patch) ? { page: 1 } : {}) };
    const qs = userFiltersToSearch(next);
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };
  // typing in the search box updates the URL after a short pause
  useEffect(() => {
    if (q === filters.q) return;
    const h = setTimeout(() => go({ q }), 350);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);

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
      col.accessor("email", { header: () => t("users.email"), cell: (c) => <Link prefetch={false} href={`/users/detail?id=${c.row.original.id}`} dir="ltr" className="break-all hover:underline" tabIndex={-1}>{c.getValue()}</Link> }),
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
  const data = useMemo(() => users.data?.items ?? [], [users.data]);
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), manualPagination: true });

  const total = users.data?.total ?? 0;
  const pages = users.data?.total_pages ?? 0;
  const err = users.error instanceof ApiError ? users.error : null;
  const filtered = userFiltersToSearch({ ...filters, page: 1, pageSize: 20 }) !== "";

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("users.title")}</h1>
        {can(me.data, "users.manage") && (
          <Link prefetch={false} href="/users/new" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">{t("users.inviteButton")}</Link>
        )}
      </div>
      <Card>
        <form role="search" onSubmit={(e) => { e.preventDefault(); go({ q }); }} className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Field label={t("users.search")} className="lg:col-span-2" value={q} onChange={(e) => setQ(e.target.value)} type="search" name="q" maxLength={200} />
          <Select label={t("users.role")} name="role_id" value={filters.roleId || ""} onChange={(e) => go({ roleId: Number(e.target.value) || 0 })}>
            <option value="">{t("users.allRoles")}</option>
            {(roles.data ?? []).map((r) => <option key={r.id} value={r.id}>{roleName(locale, r.name)}</option>)}
            {filters.roleId > 0 && roles.isSuccess && !roles.data.some((r) => r.id === filters.roleId) && <option value={filters.roleId}>#{filters.roleId}</option>}
          </Select>
          <Select label={t("users.status")} name="status" value={filters.status} onChange={(e) => go({ status: e.target.value as UserStatus | "" })}>
            <option value="">{t("users.allStatuses")}</option>
            {userStatuses.map((s) => <option key={s} value={s}>{t(`users.status.${s}`)}</option>)}
          </Select>
        </form>
        {filtered && <Button variant="ghost" className="mt-2" onClick={() => router.replace(pathname)}>{t("orders.clear")}</Button>}
      </Card>

      <Card className="overflow-x-auto p-0">
        <table className="w-full text-sm" aria-busy={users.isFetching}>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase text-slate-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-400">
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => <th key={h.id} scope="col" className="px-4 py-3 text-start font-medium">{flexRender(h.column.columnDef.header, h.getContext())}</th>)}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-700">
            {users.isPending && <SkeletonRows rows={6} columns={columns.length} cellClassName="px-4 py-3" />}
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} data-user-id={row.original.id} data-email={row.original.email} className="hover:bg-slate-50 dark:hover:bg-slate-700/40">
                {row.getVisibleCells().map((cell) => <td key={cell.id} className="px-4 py-3 align-top">{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
        {users.isSuccess && data.length === 0 && (
          <div className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="users-empty">
            <p>{filtered ? t("users.empty") : t("users.emptyNone")}</p>
            {filtered && <Button variant="secondary" className="mt-3" onClick={() => router.replace(pathname)}>{t("orders.clear")}</Button>}
          </div>
        )}
        {users.isError && (
          <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
            <p className="text-red-600 dark:text-red-400">{err?.status === 403 ? t("error.forbidden") : err?.status === 422 ? err.message : t("users.error")}</p>
            <Button variant="secondary" onClick={() => users.refetch()}>{t("orders.retry")}</Button>
          </div>
        )}
      </Card>

      {users.isSuccess && (
        <Pagination summary={t(total === 1 ? "users.totalCountOne" : "users.totalCount", { total })} page={filters.page} pages={pages} pageSize={filters.pageSize}
          onPage={(page) => go({ page }, false)} onPageSize={(pageSize) => go({ pageSize })} />
      )}
    </div>
  );
}
