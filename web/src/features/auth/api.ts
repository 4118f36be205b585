import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, setCsrfToken, unwrap, type Me } from "@/lib/api/client";
import { leaveTo } from "@/lib/query";

export type { Me };

export const meKey = ["auth", "me"] as const;

/** The logged-in user; a 401 sends the browser to the login page. */
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

export function can(me: Me | undefined, permission: string): boolean {
  return !!me && (me.is_superuser || me.permissions.includes(permission));
}

export function useLogin() {
  return useMutation({
    mutationFn: async (body: { email: string; password: string; totp?: string }) => {
      const { data } = await unwrap(api.POST("/api/auth/login", { body }));
      setCsrfToken(data.csrf_token);
      return data.user;
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await unwrap(api.POST("/api/auth/logout", {}));
    },
    onSettled: () => {
      setCsrfToken("");
      qc.clear();
      leaveTo("/login");
    },
  });
}
