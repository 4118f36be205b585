"use client";
import type { ReactNode } from "react";
import { AppShell as Frame } from "@/components/AppShell";
import { useLogout } from "@/features/auth";
import { ChatUnreadBadge } from "@/features/chat";
import { EnrolmentGate, useTwoFactorMenuItem } from "@/features/twofactor";

/** The signed-in frame with what features put in it: signing out, the two-factor entry and its enrolment gate, the chat inbox's unread badge. */
export function AppShell({ children }: { children: ReactNode }) {
  const logout = useLogout();
  const twoFactorItem = useTwoFactorMenuItem();
  return (
    <Frame menuItems={[twoFactorItem]} onLogout={() => logout.mutate()} navBadges={{ "/chat": <ChatUnreadBadge /> }}>
      <EnrolmentGate>{children}</EnrolmentGate>
    </Frame>
  );
}
