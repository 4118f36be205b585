"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError } from "@/lib/api/client";
import { explainError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { can, useMe } from "@/lib/me";
import { useToast } from "@/lib/toast";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { deleteErrors, projectKeys, projectQuery, useDeleteProject } from "../api";
import type { Project } from "../types";
import { ProjectStatusBadge } from "./ProjectStatusBadge";

type Props = {
  /** The project asked about (its row); null: closed. */
  project: Project | null;
  onClose: () => void;
  /** After the project is gone (its row, with the button that opened this, went with it). */
  onDeleted: (p: Project) => void;
};

/**
 * Confirms deleting a project, naming it and saying what follows: a
 * published one leaves the website at once and its addresses stop
 * answering. The dialog reads the project as it is now (its status may
 * have changed since the list was drawn) and deletes exactly that version
 * (If-Match): a change made meanwhile is a 412, and the dialog then shows
 * the new version to confirm again. A project already gone (404) or not
 * the user's to delete (403) is explained, with only a close button.
 */
export function DeleteProjectDialog({ project, onClose, onDeleted }: Props) {
  const { t } = useI18n();
  const me = useMe();
  const toast = useToast();
  const qc = useQueryClient();
  const del = useDeleteProject();
  const id = project?.id ?? 0;
  const current = useQuery({ ...projectQuery(id), enabled: id > 0, refetchOnWindowFocus: false });
  const [error, setError] = useState<{ text: string; final: boolean } | null>(null);
  const [asked, setAsked] = useState(project);
  if (asked !== project) {
    // another project asked about: nothing said about the last one applies
    setAsked(project);
    setError(null);
  }

  const shown = current.data?.project ?? project;
  const loadFailed = current.isError && current.error instanceof ApiError ? current.error : null;
  const live = shown?.status === "published";
  const mayDelete = can(me.data, "content.edit") && (!live || can(me.data, "content.publish"));
  const refusal = error?.final ? error.text
    : loadFailed ? explainError(t, loadFailed, deleteErrors)
      : !mayDelete ? t("projects.err.deleteForbidden")
        : "";

  function close() {
    setError(null);
    onClose();
  }

  async function confirm() {
    if (!project || !current.data) return;
    setError(null);
    try {
      await del.mutateAsync({ id: project.id, etag: current.data.etag });
      toast("info", t("projects.deleted", { name: current.data.project.title || `#${project.id}` }));
      onDeleted(project);
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      setError({ text: explainError(t, e, deleteErrors), final: status === 404 || status === 403 });
      if (status === 412) void current.refetch();
      if (status === 404) void qc.invalidateQueries({ queryKey: projectKeys.all });
    }
  }

  // the confirm button shows once the current version is read: it deletes that one
  const ready = !!current.data;
  return (
    <ConfirmDialog open={!!project} danger busy={del.isPending}
      title={t("projects.confirmDelete.title", { name: shown?.title || `#${id}` })}
      confirmLabel={refusal || !ready ? undefined : del.isPending ? t("projects.deleting") : t("projects.delete")}
      cancelLabel={refusal ? t("projects.close") : t("projects.cancel")}
      onConfirm={() => void confirm()} onCancel={close}>
      {shown && (
        <p className="flex flex-wrap items-center gap-2" data-testid="delete-project-what">
          <bdi dir="auto" className="font-medium">{shown.title || `#${shown.id}`}</bdi>
          <span dir="ltr" className="text-xs text-slate-500 dark:text-slate-400">{shown.slug}</span>
          <ProjectStatusBadge status={shown.status} />
        </p>
      )}
      {refusal ? (
        <p role="alert" data-testid="delete-project-refused" className="text-red-700 dark:text-red-300">{refusal}</p>
      ) : (
        <>
          <p data-testid="delete-project-consequence">{t(live ? "projects.confirmDelete.published" : "projects.confirmDelete.draft")}</p>
          <p>{t("projects.confirmDelete.media")}</p>
          {!ready && <p role="status" className="text-slate-500">{t("projects.confirmDelete.reading")}</p>}
          {error && <p role="alert" data-testid="delete-project-error" className="text-red-700 dark:text-red-300">{error.text}</p>}
        </>
      )}
    </ConfirmDialog>
  );
}
