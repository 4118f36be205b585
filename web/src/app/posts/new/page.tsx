"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { AppShell } from "@/app/shell";
import { PostEditor } from "@/features/posts";
import { useI18n } from "@/lib/i18n";
import { can, useMe } from "@/lib/me";
import { useDocumentTitle } from "@/lib/title";

function NewPost() {
  const me = useMe();
  const { t } = useI18n();
  if (me.isPending) return null;
  if (!can(me.data, "content.edit")) return <p role="alert">{t("error.forbidden")}</p>;
  return <PostEditor id={0} />;
}

export default function NewPostPage() {
  useDocumentTitle("post.title.new");
  return <AppShell><NewPost /></AppShell>;
}
