import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { can, type Me } from "@/lib/me";
import { api, ApiError, unwrap, type Schemas } from "@/lib/api/client";
import { areaRank } from "./catalogue";

export { areaName, permissionDescription, roleDescription, roleName } from "./catalogue";

export type Role = Schemas["RoleView"];
export type Permission = Schemas["Described"];
export type RoleInput = Schemas["RoleInput"];

export const roleKeys = {
  all: ["roles"] as const,
  list: () => ["roles", "list"] as const,
};
export const permissionKeys = { all: ["permissions"] as const };

/**
 * Every role: built-in ones first (most powerful first), then custom ones by
 * name, as the server orders them. Pages of 100 are read until the total.
 */
export const rolesQuery = () =>
  queryOptions({
    queryKey: roleKeys.list(),
    queryFn: async ({ signal }) => {
      const out: Role[] = [];
      for (let page = 1; ; page++) {
        const { data } = await unwrap(api.GET("/api/roles", { signal, params: { query: { page, page_size: 100 } } }));
        out.push(...data.items);
        if (page >= data.total_pages || data.items.length === 0) return out;
      }
    },
  });

export const useRoles = (enabled = true) => useQuery({ ...rolesQuery(), enabled });

/** The permission catalogue (name, area, description), sorted by name. */
export const usePermissions = (enabled = true) =>
  useQuery({
    queryKey: permissionKeys.all,
    enabled,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/permissions", { signal }))).data.items,
  });

/** Permissions grouped by area, areas in the menu's order (unknown ones last, by name), permissions as the server sorts them. */
export function groupByArea(perms: Permission[]): { area: string; items: Permission[] }[] {
  const groups = new Map<string, Permission[]>();
  for (const p of perms) groups.set(p.area, [...(groups.get(p.area) ?? []), p]);
  return [...groups]
    .map(([area, items]) => ({ area, items }))
    .sort((a, b) => areaRank(a.area) - areaRank(b.area) || a.area.localeCompare(b.area));
}

/** The role's permissions the user does not hold: a role can be granted (or its permissions changed) only without any. */
export function missingPermissions(me: Me | undefined, role: Pick<Role, "permissions">): string[] {
  return role.permissions.filter((p) => !can(me, p));
}

export function useCreateRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: { name: string; description: string; permissions: string[]; require_totp?: boolean }) =>
      (await unwrap(api.POST("/api/roles", { body }))).data,
    onSettled: () => qc.invalidateQueries({ queryKey: roleKeys.all }),
  });
}

/** Whether two reads of a role agree on what an edit can change (users_count aside). */
function sameDefinition(a: Role, b: Role): boolean {
  const perms = (r: Role) => [...r.permissions].sort().join(",");
  return a.name === b.name && a.description === b.description && a.require_totp === b.require_totp && perms(a) === perms(b);
}

/**
 * Saves a role's changes against the role as the user saw it (`seen`, from
 * the list): the role is read again with its ETag, a difference is refused
 * here and a change in between by the server (If-Match → 412), so nobody
 * overwrites a change they did not see.
 */
export function useUpdateRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { seen: Role; body: RoleInput }) => {
      const id = v.seen.id;
      const { data: now, response } = await unwrap(api.GET("/api/roles/{id}", { params: { path: { id } } }));
      if (!sameDefinition(now, v.seen)) throw new ApiError(412, "PRECONDITION_FAILED", "the role changed since it was loaded");
      const etag = response.headers.get("ETag") ?? "";
      return (await unwrap(api.PATCH("/api/roles/{id}", { params: { path: { id }, header: etag ? { "If-Match": etag } : {} }, body: v.body }))).data;
    },
    onSettled: () => qc.invalidateQueries({ queryKey: roleKeys.all }),
  });
}

export function useDeleteRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => {
      await unwrap(api.DELETE("/api/roles/{id}", { params: { path: { id } } }));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: roleKeys.all }),
  });
}
