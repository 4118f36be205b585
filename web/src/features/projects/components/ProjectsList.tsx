"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import { explainError, explainListError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { can, useMe } from "@/lib/me";
import { useDraft, useUrlState } from "@/lib/urlState";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { Field, Select } from "@/components/ui/Field";
import { matchesProject, orderErrors, projectErrors, projectFiltersCodec, projectSearchQuery, useOrderedProjects, useSaveProjectOrder, useSetFeatured, type ProjectFilters } from "../api";
import { moveWithin } from "../reorder";
import { projectStatuses, type Project } from "../types";
import { DeleteProjectDialog } from "./DeleteProjectDialog";
import { ProjectStatusBadge } from "./ProjectStatusBadge";
import { SortableList } from "./Sortable";

/** A star button: featured projects are the website's highlights. */
function FeaturedStar({ project, disabled, onToggle }: { project: Project; disabled: boolean; onToggle: () => void }) {
  const { t } = useI18n();
  const on = project.featured;
  return (
    <button type="button" aria-pressed={on} disabled={disabled} onClick={onToggle} data-testid="featured"
      aria-label={t("projects.featured.toggle", { name: project.title })} title={on ? t("projects.featured.on") : t("projects.featured.off")}
      className={`inline-flex size-8 items-center justify-center rounded-md text-lg focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:cursor-default ${on ? "text-amber-500" : "text-slate-400 hover:text-amber-500"}`}>
      <span aria-hidden>{on ? "★" : "☆"}</span>
    </button>
  );
}

/**
 * The portfolio in its manual order (the website shows it so): drag a
 * project, or use the arrow keys on its handle or its move buttons; the new
 * order shows at once and is saved (PUT /api/projects/order); a refusal
 * brings the old order back and says why. Filters (in the URL) narrow what
 * is shown; a move among the shown ones keeps the hidden ones in place.
 * A project is deleted after a confirmation naming it (content.edit, and
 * content.publish for a published one, as the server requires); focus
 * then goes to the project that took its place (or the heading when none
 * is left).
 */
export function ProjectsList() {
  const { t, date } = useI18n();
  const url = useUrlState(projectFiltersCodec);
  const filters = url.state;
  const me = useMe();
  const projects = useOrderedProjects();
  const saveOrder = useSaveProjectOrder();
  const setFeatured = useSetFeatured();
  const [q, setQ, flushQ] = useDraft(filters.q, (v) => url.update({ q: v.trim() }));
  const [tag, setTag, flushTag] = useDraft(filters.tag, (v) => url.update({ tag: v.trim() }));
  const [error, setError] = useState("");
  const canEdit = can(me.data, "content.edit");
  const canPublish = can(me.data, "content.publish");
  const [deleting, setDeleting] = useState<Project | null>(null);
  // where focus goes once a deleted project's row is gone: the row now at its index
  const refocus = useRef<{ id: number; index: number } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const all = useMemo(() => projects.data ?? [], [projects.data]);
  // the search box also asks the server's index (every Persian spelling, the body too); until it answers, and if it
  // fails, the on-screen match alone applies
  const found = useQuery({ ...projectSearchQuery(filters.q), enabled: filters.q !== "" }).data;
  const shown = useMemo(() => all.filter((p) => matchesProject(p, filters, filters.q ? found : undefined)), [all, filters, found]);

  useEffect(() => {
    const r = refocus.current;
    if (!r || deleting || shown.some((p) => p.id === r.id)) return;
    refocus.current = null;
    const next = shown[Math.min(r.index, shown.length - 1)];
    const row = next && document.querySelector(`[data-testid="projects"] [data-project-id="${next.id}"]`);
    const target = row?.querySelector<HTMLElement>('[data-action="delete"]') ?? row?.querySelector<HTMLElement>("a") ?? heading.current;
    target?.focus();
  }, [shown, deleting]);

  function deleted(p: Project) {
    refocus.current = { id: p.id, index: Math.max(0, shown.findIndex((x) => x.id === p.id)) };
    setDeleting(null);
  }

  function move(from: number, to: number) {
    const ids = moveWithin(all.map((p) => p.id), shown.map((p) => p.id), shown[from].id, to);
    setError("");
    saveOrder.mutate(ids, { onError: (e) => setError(explainError(t, e, orderErrors)) });
  }

  function toggleFeatured(p: Project) {
    setError("");
    setFeatured.mutate({ id: p.id, featured: !p.featured }, { onError: (e) => setError(explainError(t, e, projectErrors)) });
  }

  return (
    <div className="space-y-4">
      <div className="flex min-h-9 flex-wrap items-center justify-between gap-3">
        <h1 ref={heading} tabIndex={-1} className="text-2xl font-bold focus:outline-none">{t("projects.title")}</h1>
        {canEdit && <Link prefetch={false} href="/projects/new" data-testid="project-new" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">{t("projects.new")}</Link>}
      </div>
      <Card>
        <form role="search" onSubmit={(e) => { e.preventDefault(); flushQ(); flushTag(); }} className="grid grid-cols-1 items-end gap-3 sm:grid-cols-2 lg:grid-cols-5">
          <Field label={t("projects.search")} type="search" name="q" dir="auto" value={q} onChange={(e) => setQ(e.target.value.slice(0, 200))} className="lg:col-span-2" />
          <Select label={t("projects.col.status")} name="status" value={filters.status} onChange={(e) => url.update({ status: e.target.value as ProjectFilters["status"] })}>
            <option value="">{t("projects.allStatuses")}</option>
            {projectStatuses.map((s) => <option key={s} value={s}>{t(`projects.status.${s}`)}</option>)}
          </Select>
          <Select label={t("projects.col.lang")} name="lang" value={filters.lang} onChange={(e) => url.update({ lang: e.target.value as ProjectFilters["lang"] })}>
            <option value="">{t("content.lang.any")}</option>
            <option value="fa">{t("content.lang.fa")}</option>
            <option value="en">{t("content.lang.en")}</option>
          </Select>
          <Field label={t("projects.tag")} name="tag" dir="auto" autoComplete="off" value={tag} onChange={(e) => setTag(e.target.value.slice(0, 100))} />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={filters.featured} onChange={(e) => url.update({ featured: e.target.checked })} className="size-4 rounded border-slate-300 text-indigo-600" />
            {t("projects.featuredOnly")}
          </label>
        </form>
        {url.isFiltered() && <Button variant="ghost" className="mt-2" onClick={() => url.reset()}>{t("orders.clear")}</Button>}
      </Card>

      {error && <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-700 dark:border-red-800 dark:bg-red-950/50 dark:text-red-300" data-testid="projects-error">{error}</p>}
      {url.isFiltered() && shown.length > 0 && canEdit && <p className="text-xs text-slate-500 dark:text-slate-400">{t("projects.filteredOrderHint")}</p>}

      {projects.isPending && <div className="space-y-2">{[0, 1, 2].map((i) => <Skeleton key={i} className="h-16 w-full" />)}</div>}
      {projects.isError && (
        <div role="alert" className="flex flex-col items-center gap-3 p-8 text-center">
          <p className="text-red-600 dark:text-red-400">{explainListError(t, projects.error, "projects.error")}</p>
          <Button variant="secondary" onClick={() => projects.refetch()}>{t("orders.retry")}</Button>
        </div>
      )}
      {projects.isSuccess && shown.length === 0 && (
        <p className="p-8 text-center text-slate-500 dark:text-slate-400" data-testid="projects-empty">{all.length ? t("projects.emptyFiltered") : t("projects.empty")}</p>
      )}
      {shown.length > 0 && (
        <SortableList items={shown} getKey={(p) => String(p.id)} itemName={(p) => p.title || `#${p.id}`} onMove={move} label={t("projects.list")} disabled={!canEdit} testId="projects">
          {(p) => (
            <div className="flex flex-wrap items-center gap-3" data-project-id={p.id}>
              <FeaturedStar project={p} disabled={!canEdit} onToggle={() => toggleFeatured(p)} />
              {/* at least 10rem for the title: on a phone the language and status go under it together instead of squeezing it */}
              <div className="min-w-40 flex-1">
                <Link prefetch={false} href={`/projects/edit?id=${p.id}`} dir="auto" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">{p.title || t("posts.untitled")}</Link>
                <div className="flex flex-wrap gap-x-3 text-xs text-slate-500 dark:text-slate-400">
                  <span dir="ltr">{p.slug}</span>
                  {p.client && <bdi>{p.client}</bdi>}
                  {p.started_on && <span>{date(`${p.started_on}T12:00:00Z`)}{p.ended_on ? ` – ${date(`${p.ended_on}T12:00:00Z`)}` : ""}</span>}
                </div>
              </div>
              <div className="ms-auto flex items-center gap-3">
                <span lang={p.lang} className="text-xs text-slate-600 dark:text-slate-300">{t(`content.lang.${p.lang}`)}</span>
                <ProjectStatusBadge status={p.status} />
                {canEdit && (p.status !== "published" || canPublish) && (
                  <button type="button" data-action="delete" onClick={() => setDeleting(p)} aria-label={t("projects.deleteNamed", { name: p.title || `#${p.id}` })}
                    className="rounded-md px-2 py-1 text-sm font-medium text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 dark:text-red-300 dark:hover:bg-red-950">
                    {t("projects.delete")}
                  </button>
                )}
              </div>
            </div>
          )}
        </SortableList>
      )}
      <DeleteProjectDialog project={deleting} onClose={() => setDeleting(null)} onDeleted={deleted} />
    </div>
  );
}
