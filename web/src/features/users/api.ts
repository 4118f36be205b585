import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Me } from "@/lib/me";
import { api, unwrap, type Schemas } from "@/lib/api/client";
import { runBulk } from "@/lib/bulk";
import type { UrlCodec } from "@/lib/urlState";

export type User = Schemas["UserView"];
export type Invite = Schemas["Invite"];
export type CreateUserInput = Schemas["CreateUserInput"];
export type UpdateUserInput = Schemas["UpdateUserInput"];

export const userStatuses = ["active", "invited", "inactive"] as const;
export type UserStatus = (typeof userStatuses)[number];

/** One status per user: deactivated wins over invited (no password set yet). */
export function userStatus(u: Pick<User, "is_active" | "invited">): UserStatus {
  return !u.is_active ? "inactive" : u.invited ? "invited" : "active";
}

/** The list filters, as kept in the URL. */
export type UserFilters = {
  page: number;
  pageSize: number;
  q: string;
  roleId: number; // 0: any
  status: UserStatus | "";
};

export const defaultUserFilters: UserFilters = { page: 1, pageSize: 20, q: "", roleId: 0, status: "" };
const pageSizes = [10, 20, 50, 100];

export function userFiltersFromSearch(sp: URLSearchParams): UserFilters {
  const int = (v: string | null, d: number) => (v && /^\d{1,15}$/.test(v) ? Number(v) : d);
  const status = sp.get("status") ?? "";
  return {
    page: Math.max(1, int(sp.get("page"), 1)),
    pageSize: pageSizes.includes(int(sp.get("page_size"), 20)) ? int(sp.get("page_size"), 20) : 20,
    q: (sp.get("q") ?? "").slice(0, 200),
    roleId: int(sp.get("role_id"), 0),
    status: (userStatuses as readonly string[]).includes(status) ? (status as UserStatus) : "",
  };
}

export function userFiltersToSearch(f: UserFilters): string {
  const sp = new URLSearchParams();
  if (f.page !== 1) sp.set("page", String(f.page));
  if (f.pageSize !== 20) sp.set("page_size", String(f.pageSize));
  if (f.q) sp.set("q", f.q);
  if (f.roleId) sp.set("role_id", String(f.roleId));
  if (f.status) sp.set("status", f.status);
  return sp.toString();
}

/** The list's state in the URL (useUrlState). */
export const userFiltersCodec: UrlCodec<UserFilters> = { parse: userFiltersFromSearch, serialize: userFiltersToSearch };

export const userKeys = {
  all: ["users"] as const,
  list: (f: UserFilters) => ["users", "list", f] as const,
  detail: (id: number) => ["users", "detail", id] as const,
};

export const usersListQuery = (f: UserFilters) =>
  queryOptions({
    queryKey: userKeys.list(f),
    queryFn: async ({ signal }) => {
      const { data } = await unwrap(
        api.GET("/api/users", {
          signal,
          params: { query: { page: f.page, page_size: f.pageSize, q: f.q.trim() || undefined, role_id: f.roleId || undefined, status: f.status || undefined } },
        }),
      );
      return data;
    },
  });

export const useUsers = (f: UserFilters) => useQuery(usersListQuery(f));

/** One user with the ETag of what was read, for If-Match on a change. */
export const useUser = (id: number) =>
  useQuery({
    queryKey: userKeys.detail(id),
    enabled: id > 0,
    queryFn: async ({ signal }) => {
      const { data, response } = await unwrap(api.GET("/api/users/{id}", { signal, params: { path: { id } } }));
      return { user: data, etag: response.headers.get("ETag") ?? "" };
    },
  });

export function useInviteUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateUserInput) => (await unwrap(api.POST("/api/users", { body }))).data,
    onSettled: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/** Changes a user, sending If-Match with the ETag the admin saw: a change by someone else meanwhile is refused (412), never overwritten. */
export function useUpdateUser(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { body: UpdateUserInput; etag: string }) =>
      (await unwrap(api.PATCH("/api/users/{id}", { params: { path: { id }, header: v.etag ? { "If-Match": v.etag } : {} }, body: v.body }))).data,
    onSettled: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/** Turns another user's second factor off (a lost phone) and ends their sessions. */
export function useResetUserTOTP(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await unwrap(api.DELETE("/api/users/{id}/totp", { params: { path: { id } } }));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/** DELETE deactivates (users are never deleted) and ends every session of the user. */
export function useDeactivateUser(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await unwrap(api.DELETE("/api/users/{id}", { params: { path: { id } } }));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/** Deactivates each user in turn; one refused (outranked, self, the last superuser) is reported and the rest still go. */
export function useBulkDeactivate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (users: User[]) => runBulk(users, (u) => unwrap(api.DELETE("/api/users/{id}", { params: { path: { id: u.id } } }))),
    onSettled: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/** A new one-time set-password link; earlier unused links stop working. */
export function useReinviteUser(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => (await unwrap(api.POST("/api/users/{id}/invite", { params: { path: { id } } }))).data,
    onSettled: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/**
 * What the server would refuse to let `me` do to `target`, so the UI can
 * hide it: nobody changes their own roles, active or superuser status; only
 * a superuser changes (or resets) a superuser.
 */
export function userControls(me: Me | undefined, target: Pick<User, "id" | "is_superuser">, canManage: boolean) {
  const self = !!me && me.id === target.id;
  const superOnly = target.is_superuser && !me?.is_superuser;
  const edit = canManage && !superOnly;
  return {
    self,
    superOnly,
    editProfile: edit,
    editRoles: edit && !self,
    editActive: edit && !self,
    editSuperuser: edit && !self && !!me?.is_superuser,
    // their own password they change on the account page, with the current one
    reset: edit && !self,
  };
}
