import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, setCsrfToken, unwrap } from "@/lib/api/client";
import { holdLoginRedirects, leaveTo } from "@/lib/query";

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
    // logging out always ends on the plain login page, whatever 401 arrives first
    onMutate: holdLoginRedirects,
    onSettled: () => {
      setCsrfToken("");
      qc.clear();
      leaveTo("/login");
    },
  });
}
