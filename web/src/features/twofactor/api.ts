import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { meKey } from "@/lib/me";
import { api, unwrap, type Schemas } from "@/lib/api/client";

export type TOTPStatus = Schemas["TOTPStatus"];
export type TOTPSetup = Schemas["TOTPSetup"];

export const totpKey = ["auth", "totp"] as const;

/** The caller's second-factor state. */
export function useTOTPStatus() {
  return useQuery({
    queryKey: totpKey,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/auth/totp", { signal }))).data,
  });
}

/** Every change here can change who the user is allowed to be (me) and the state shown. */
function useRefresh() {
  const qc = useQueryClient();
  return () => Promise.all([qc.invalidateQueries({ queryKey: totpKey }), qc.invalidateQueries({ queryKey: meKey })]);
}

/** Starts enrolment after the password is re-checked: a new secret and its otpauth:// URL (not cached anywhere but this component). */
export function useStartTOTPSetup() {
  return useMutation({
    mutationFn: async (password: string) => (await unwrap(api.POST("/api/auth/totp/setup", { body: { password } }))).data,
  });
}

/** Turns the second factor on; answers the recovery codes, shown once. */
export function useConfirmTOTP() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async (code: string) => (await unwrap(api.POST("/api/auth/totp/confirm", { body: { code } }))).data.recovery_codes,
    onSuccess: refresh,
  });
}

export function useDisableTOTP() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async (password: string) => {
      await unwrap(api.POST("/api/auth/totp/disable", { body: { password } }));
    },
    onSuccess: refresh,
  });
}

export function useRegenerateRecoveryCodes() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async (password: string) => (await unwrap(api.POST("/api/auth/totp/recovery-codes", { body: { password } }))).data.recovery_codes,
    onSuccess: refresh,
  });
}

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP", for reading and typing by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, "").replace(/(.{4})(?=.)/g, "$1 ");
}
