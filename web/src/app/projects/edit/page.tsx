"use client";
// this screen's Persian strings come with it (not with the orders page's first load)
import "@/lib/messages.screens";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { AppShell } from "@/app/shell";
import { ProjectEditor } from "@/features/projects";
import { useI18n } from "@/lib/i18n";
import { useDocumentTitle } from "@/lib/title";

function Editor() {
  const { t } = useI18n();
  const id = Number(useSearchParams().get("id"));
  const valid = Number.isSafeInteger(id) && id > 0;
  // key: another project (after creating one, or a link) gets a fresh form
  return valid ? <ProjectEditor key={id} id={id} /> : <p role="alert" className="p-8 text-center text-red-600">{t("projects.err.gone")}</p>;
}

export default function ProjectEditPage() {
  useDocumentTitle("projects.editTitle");
  return (
    <AppShell>
      <Suspense><Editor /></Suspense>
    </AppShell>
  );
}
