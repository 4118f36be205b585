import { useMutation, useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api/client";

export type InviteInfo = Schemas["InviteInfo"];

/** Whose set-password link this is; 404 when it is invalid, used or expired. The link stays unused. */
export function useInviteInfo(token: string) {
  return useQuery({
    queryKey: ["invite", token],
    enabled: token !== "",
    // a second look would not change the answer; a refetch on focus after success would say "used"
    refetchOnWindowFocus: false,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/auth/invite", { signal, params: { query: { token } } }))).data,
  });
}

/** Sets the password and uses the link up; every earlier session of the user ends. */
export function useAcceptInvite() {
  return useMutation({
    mutationFn: async (body: { token: string; password: string }) => {
      await unwrap(api.POST("/api/auth/invite", { body }));
    },
  });
}
