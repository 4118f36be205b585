"use client";
import type { ReactNode } from "react";
import { AppShell as Frame } from "@/components/AppShell";
import { useLogout } from "@/features/auth";
import { EnrolmentGate, useTwoFactorMenuItem } from "@/features/twofactor";

/** The signed-in frame with what features put in it: signing out, the two-factor entry and its enrolment gate. */
export function AppShell({ children }: { children: ReactNode }) {
  const logout = useLogout();
  const twoFactorItem = useTwoFactorMenuItem();
  return (
    <Frame menuItems={[twoFactorItem]} onLogout={() => logout.mutate()}>
      <EnrolmentGate>{children}</EnrolmentGate>
    </Frame>
  );
}
