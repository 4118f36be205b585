import { useQuery } from "@tanstack/react-query";
import { api, setCsrfToken, unwrap, type Me } from "./api/client";

export type { Me };

/** The query key of the signed-in user; what changes who they are invalidates it. */
export const meKey = ["auth", "me"] as const;

/** The signed-in user (and the session's CSRF token); a 401 sends the browser to the login page. */
export function useMe() {
  return useQuery({
    queryKey: meKey,
    queryFn: async ({ signal }) => {
      const { data } = await unwrap(api.GET("/api/auth/me", { signal }));
      setCsrfToken(data.csrf_token);
      return data;
    },
  });
}

/** Whether the user holds the permission (a superuser holds every one). */
export function can(me: Me | undefined, permission: string): boolean {
  return !!me && (me.is_superuser || me.permissions.includes(permission));
}
