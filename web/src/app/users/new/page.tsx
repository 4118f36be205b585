"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { AppShell } from "@/app/shell";
import { can, useMe } from "@/lib/me";
import { InviteUserForm } from "@/features/users";
import { useI18n } from "@/lib/i18n";
import { useDocumentTitle } from "@/lib/title";

function NewUser() {
  const me = useMe();
  const { t } = useI18n();
  if (me.isPending) return null;
  if (!can(me.data, "users.manage")) return <p role="alert">{t("error.forbidden")}</p>;
  return <InviteUserForm />;
}

export default function NewUserPage() {
  useDocumentTitle("users.invite.title");
  return <AppShell><NewUser /></AppShell>;
}
