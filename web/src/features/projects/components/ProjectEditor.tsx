"use client";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { ApiError } from "@/lib/api/client";
import { explainError, fieldMessages } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { can, useMe } from "@/lib/me";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { DatePicker } from "@/components/ui/DatePicker";
import { Field, Select } from "@/components/ui/Field";
import { createProject, nextStatuses, projectErrors, projectKeys, renderMarkdown, saveProject, transitionProject, useProject } from "../api";
import type { Project, ProjectInput, ProjectLink, ProjectStatus } from "../types";
import { GalleryEditor } from "./GalleryEditor";
import { MediaPicker, MediaThumb } from "./MediaPicker";
import { ProjectStatusBadge } from "./ProjectStatusBadge";

export const emptyProject: ProjectInput = {
  title: "", slug: "", lang: "fa", client: "", started_on: null, ended_on: null, summary: "", body_md: "",
  cover_media_id: null, gallery: [], tags: [], links: [], featured: false,
};

/** The writable fields of a project, as the form holds them. */
export const inputOf = (p: Project): ProjectInput => ({
  title: p.title, slug: p.slug, lang: p.lang, client: p.client ?? "", started_on: p.started_on, ended_on: p.ended_on, summary: p.summary ?? "",
  body_md: p.body_md ?? "", cover_media_id: p.cover_media_id, gallery: p.gallery ?? [], tags: p.tags ?? [], links: p.links ?? [], featured: p.featured,
});

const same = (a: ProjectInput, b: ProjectInput) => JSON.stringify(a) === JSON.stringify(b);

/** Names typed into a chip field: Enter or a comma adds one, Backspace on an empty field removes the last. */
function ChipsField({ label, value, onChange, disabled, error }: { label: string; value: string[]; onChange: (v: string[]) => void; disabled?: boolean; error?: string }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState("");
  const add = () => {
    const v = draft.trim();
    if (v && !value.includes(v) && value.length < 20) onChange([...value, v.slice(0, 100)]);
    setDraft("");
  };
  return (
    <div>
      <Field label={label} value={draft} disabled={disabled} dir="auto" error={error} hint={t("projects.chipsHint")}
        onChange={(e) => {
          if (e.target.value.endsWith(",") || e.target.value.endsWith("،")) {
            setDraft(e.target.value.slice(0, -1));
            setTimeout(add);
          } else setDraft(e.target.value);
        }}
        onBlur={add}
        onKeyDown={(e) => {
          if (e.key === "Enter") { e.preventDefault(); add(); }
          if (e.key === "Backspace" && !draft && value.length) onChange(value.slice(0, -1));
        }} />
      <ul className="mt-2 flex flex-wrap gap-1">
        {value.map((x) => (
          <li key={x} className="inline-flex items-center gap-1 rounded-full bg-slate-100 py-0.5 ps-2 pe-1 text-xs dark:bg-slate-700">
            <bdi>{x}</bdi>
            <button type="button" disabled={disabled} onClick={() => onChange(value.filter((y) => y !== x))} aria-label={t("projects.chipRemove", { name: x })} className="rounded-full px-1 hover:bg-slate-200 dark:hover:bg-slate-600"><span aria-hidden>{"×"}</span></button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function LinksField({ value, onChange, disabled, errors }: { value: ProjectLink[]; onChange: (v: ProjectLink[]) => void; disabled?: boolean; errors: Record<string, string> }) {
  const { t } = useI18n();
  const set = (i: number, patch: Partial<ProjectLink>) => onChange(value.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">{t("projects.f.links")}</legend>
      {value.map((l, i) => (
        <div key={i} className="flex flex-wrap items-end gap-2" data-link={i}>
          <Field label={t("projects.links.label")} className="min-w-40 flex-1" dir="auto" value={l.label} disabled={disabled} maxLength={100} error={errors[`links[${i}].label`]} onChange={(e) => set(i, { label: e.target.value })} />
          <Field label={t("projects.links.url")} className="min-w-60 flex-[2]" dir="ltr" type="url" value={l.url} disabled={disabled} error={errors[`links[${i}].url`]} onChange={(e) => set(i, { url: e.target.value })} />
          <Button variant="ghost" disabled={disabled} onClick={() => onChange(value.filter((_, j) => j !== i))} aria-label={t("projects.links.remove", { n: i + 1 })}>{t("projects.remove")}</Button>
        </div>
      ))}
      <Button variant="secondary" disabled={disabled || value.length >= 20} onClick={() => onChange([...value, { label: "", url: "" }])}>{t("projects.links.add")}</Button>
    </fieldset>
  );
}

/** The markdown body: a plain textarea, and the server's rendering of it (POST /api/content/render) on the preview tab. */
function BodyField({ value, onChange, lang, disabled, error }: { value: string; onChange: (v: string) => void; lang: string; disabled?: boolean; error?: string }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<"write" | "preview">("write");
  const [html, setHtml] = useState<string | null>(null);
  const [failed, setFailed] = useState("");
  useEffect(() => {
    if (tab !== "preview") return;
    const ctl = new AbortController();
    const h = setTimeout(() => {
      renderMarkdown(value, ctl.signal).then(
        (out) => { setHtml(out); setFailed(""); },
        (e) => { if (!ctl.signal.aborted) setFailed(explainError(t, e)); },
      );
    }, 300);
    return () => { clearTimeout(h); ctl.abort(); };
  }, [tab, value, t]);
  const tabClass = "rounded-md px-3 py-1 text-sm aria-pressed:bg-white aria-pressed:shadow-sm dark:aria-pressed:bg-slate-700";
  return (
    <div>
      <div className="mb-1 flex items-center justify-between">
        <label htmlFor="project-body" className="text-sm font-medium text-slate-700 dark:text-slate-300">{t("projects.f.body")}</label>
        <div role="group" aria-label={t("projects.f.body")} className="inline-flex rounded-lg bg-slate-100 p-0.5 dark:bg-slate-900">
          <button type="button" className={tabClass} aria-pressed={tab === "write"} onClick={() => setTab("write")}>{t("projects.body.write")}</button>
          <button type="button" className={tabClass} aria-pressed={tab === "preview"} onClick={() => setTab("preview")} data-testid="body-preview-tab">{t("projects.body.preview")}</button>
        </div>
      </div>
      {tab === "write" ? (
        <textarea id="project-body" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)} dir={lang === "fa" ? "rtl" : "ltr"} rows={14} aria-invalid={error ? true : undefined}
          className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900" />
      ) : (
        <div className="min-h-40 rounded-md border border-slate-200 p-3 dark:border-slate-700" aria-live="polite" data-testid="body-preview">
          {failed ? <p role="alert" className="text-sm text-red-600">{failed}</p>
            : html === null ? <p className="text-sm text-slate-500">{t("loading")}</p>
              // the server's answer only: it renders and sanitises (API.md §8)
              : <div className="prose max-w-none dark:prose-invert [&_*]:[unicode-bidi:plaintext]" dir="auto" dangerouslySetInnerHTML={{ __html: html }} />}
        </div>
      )}
      {error && <p className="mt-1 text-xs text-red-600 dark:text-red-400">{error}</p>}
    </div>
  );
}

const transitionLabel = (from: ProjectStatus, to: ProjectStatus) =>
  to === "published" ? "projects.action.publish" : to === "archived" ? "projects.action.archive" : from === "published" ? "projects.action.unpublish" : "projects.action.restore";

/**
 * Creating (id 0) or editing a project: every field of API.md §8, saved with
 * If-Match (a change made meanwhile is a 412: the user is offered the current
 * version), and the workflow's moves for content.publish holders, each after
 * a confirmation naming the project.
 */
export function ProjectEditor({ id }: { id: number }) {
  const { t } = useI18n();
  const router = useRouter();
  const toast = useToast();
  const qc = useQueryClient();
  const me = useMe();
  const loaded = useProject(id);
  const canEdit = can(me.data, "content.edit");
  const canPublish = can(me.data, "content.publish");

  const [form, setForm] = useState<ProjectInput>(emptyProject);
  // the version the form started from, and its ETag
  const [base, setBase] = useState<Project | null>(null);
  const [etag, setEtag] = useState("");
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState("");
  const [stale, setStale] = useState(false);
  const [moving, setMoving] = useState<ProjectStatus | null>(null);
  const [pickingCover, setPickingCover] = useState(false);
  const dirty = base ? !same(form, inputOf(base)) : !same(form, emptyProject);

  // A newer version from the server (the first load, a live event, our own
  // workflow move): taken whole when the form has no edits; when only what
  // the form does not hold changed (status, position) its ETag is adopted
  // and the edits kept; otherwise the edits stay, and saving meets the 412.
  // (Adjusted while rendering, as React recommends for state derived from new data.)
  const data = loaded.data;
  const [seen, setSeen] = useState<typeof data>(undefined);
  if (data && data !== seen) {
    setSeen(data);
    if (!base || !dirty) {
      setBase(data.project);
      setForm(inputOf(data.project));
      setEtag(data.etag);
    } else if (same(inputOf(base), inputOf(data.project))) {
      setBase(data.project);
      setEtag(data.etag);
    }
  }

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const set = <K extends keyof ProjectInput>(k: K, v: ProjectInput[K]) => setForm((f) => ({ ...f, [k]: v }));
  // a published project has no separate live copy: a save goes live, so only a publisher may save it
  const lockedLive = base?.status === "published" && !canPublish;
  const disabled = !canEdit || lockedLive || busy;

  function refused(e: unknown) {
    if (e instanceof ApiError && e.status === 412) {
      setStale(true);
      return;
    }
    if (e instanceof ApiError && (e.status === 422 || e.code === "CONFLICT")) setErrors(fieldMessages(t, e, projectErrors));
    setFormError(explainError(t, e, projectErrors));
  }

  async function save() {
    setBusy(true);
    setErrors({});
    setFormError("");
    try {
      if (id === 0) {
        const created = await createProject(form);
        await qc.invalidateQueries({ queryKey: projectKeys.all });
        toast("info", t("projects.created"));
        router.replace(`/projects/edit?id=${created.id}`);
        return;
      }
      const saved = await saveProject(id, form, etag);
      setBase(saved.project);
      setForm(inputOf(saved.project));
      if (saved.etag) setEtag(saved.etag);
      toast("info", t("projects.saved"));
      await qc.invalidateQueries({ queryKey: projectKeys.all });
    } catch (e) {
      refused(e);
    } finally {
      setBusy(false);
    }
  }

  async function reload() {
    setStale(false);
    setBase(null);
    const fresh = await loaded.refetch();
    if (fresh.data) {
      setBase(fresh.data.project);
      setForm(inputOf(fresh.data.project));
      setEtag(fresh.data.etag);
    }
  }

  async function move() {
    if (!moving || !base) return;
    setBusy(true);
    setFormError("");
    try {
      await transitionProject(id, moving);
      toast("info", t("projects.moved", { status: t(`projects.status.${moving}`) }));
      await qc.invalidateQueries({ queryKey: projectKeys.all });
    } catch (e) {
      setFormError(explainError(t, e, projectErrors));
    } finally {
      setBusy(false);
      setMoving(null);
    }
  }

  if (id > 0 && loaded.isPending) return <div className="space-y-3"><Skeleton className="h-8 w-64" /><Skeleton className="h-96 w-full" /></div>;
  if (id > 0 && loaded.isError && !base) {
    return (
      <div role="alert" className="space-y-3 p-8 text-center">
        <p className="text-red-600 dark:text-red-400">{explainError(t, loaded.error, projectErrors)}</p>
        <Link prefetch={false} href="/projects" className="text-indigo-600 hover:underline">{t("projects.back")}</Link>
      </div>
    );
  }

  const err = (k: string) => errors[k];
  const galleryErrors = Object.entries(errors).filter(([k]) => k.startsWith("gallery")).map(([, v]) => v);
  const row = (children: ReactNode) => <div className="grid grid-cols-1 gap-4 md:grid-cols-2">{children}</div>;

  return (
    <form className="space-y-4" onSubmit={(e) => { e.preventDefault(); void save(); }} data-testid="project-editor" noValidate>
      {/* the way back on a line of its own (as in the post editor), so the title keeps the width of the screen on a phone */}
      <Link prefetch={false} href="/projects" className="text-sm text-indigo-600 underline underline-offset-2 dark:text-indigo-400">{t("projects.back")}</Link>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex min-w-0 items-center gap-3">
          <h1 className="min-w-0 break-words text-2xl font-bold" dir="auto">{id === 0 ? t("projects.newTitle") : base?.title || t("projects.editTitle")}</h1>
          {base && <ProjectStatusBadge status={base.status} />}
        </div>
        <div className="flex flex-wrap gap-2">
          {base && canPublish && nextStatuses(base).map((to) => (
            <Button key={to} type="button" variant={to === "published" ? "primary" : "secondary"} disabled={busy} onClick={() => setMoving(to)} data-transition={to}>
              {t(transitionLabel(base.status, to))}
            </Button>
          ))}
          {canEdit && !lockedLive && <Button type="submit" disabled={busy || (id > 0 && !dirty)} data-testid="project-save">{busy ? t("projects.saving") : t("projects.save")}</Button>}
        </div>
      </div>
      {formError && <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-700 dark:border-red-800 dark:bg-red-950/50 dark:text-red-300" data-testid="project-error">{formError}</p>}
      {lockedLive && <p role="note" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">{t("projects.lockedLive")}</p>}
      {id > 0 && dirty && <p className="text-xs text-amber-700 dark:text-amber-300" role="status">{t("projects.unsaved")}</p>}

      <Card className="space-y-4">
        {row(<>
          <Field label={t("projects.f.title")} value={form.title} disabled={disabled} dir="auto" maxLength={200} required error={err("title")} onChange={(e) => set("title", e.target.value)} />
          <Field label={t("projects.f.slug")} value={form.slug} disabled={disabled} dir="ltr" maxLength={200} error={err("slug")} hint={t("projects.slugHint")} onChange={(e) => set("slug", e.target.value)} />
        </>)}
        {row(<>
          <Select label={t("projects.f.lang")} value={form.lang} disabled={disabled} error={err("lang")} onChange={(e) => set("lang", e.target.value as ProjectInput["lang"])}>
            <option value="fa">{t("content.lang.fa")}</option>
            <option value="en">{t("content.lang.en")}</option>
          </Select>
          <Field label={t("projects.f.client")} value={form.client} disabled={disabled} dir="auto" maxLength={200} error={err("client")} onChange={(e) => set("client", e.target.value)} />
        </>)}
        {row(<>
          <div>
            <DatePicker label={t("projects.f.startedOn")} name="started_on" value={form.started_on ?? ""} onChange={(v) => set("started_on", v || null)} />
            {err("started_on") && <p className="mt-1 text-xs text-red-600">{err("started_on")}</p>}
          </div>
          <div>
            <DatePicker label={t("projects.f.endedOn")} name="ended_on" value={form.ended_on ?? ""} min={form.started_on ?? undefined} onChange={(v) => set("ended_on", v || null)} />
            {err("ended_on") && <p className="mt-1 text-xs text-red-600">{err("ended_on")}</p>}
          </div>
        </>)}
        <div>
          <label htmlFor="project-summary" className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{t("projects.f.summary")}</label>
          <textarea id="project-summary" value={form.summary} disabled={disabled} dir="auto" rows={3} maxLength={1000} onChange={(e) => set("summary", e.target.value)}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900" />
          {err("summary") && <p className="mt-1 text-xs text-red-600">{err("summary")}</p>}
        </div>
        <BodyField value={form.body_md} onChange={(v) => set("body_md", v)} lang={form.lang} disabled={disabled} error={err("body_md")} />
      </Card>

      <Card className="space-y-4">
        <div className="space-y-2">
          <span className="block text-sm font-medium text-slate-700 dark:text-slate-300">{t("projects.f.cover")}</span>
          <div className="flex flex-wrap items-center gap-3">
            {form.cover_media_id ? <MediaThumb id={form.cover_media_id} className="h-24 w-36" /> : <span className="text-sm text-slate-500">{t("projects.noCover")}</span>}
            <Button variant="secondary" disabled={disabled} onClick={() => setPickingCover(true)} data-testid="cover-pick">{t("projects.pickCover")}</Button>
            {form.cover_media_id && <Button variant="ghost" disabled={disabled} onClick={() => set("cover_media_id", null)}>{t("projects.remove")}</Button>}
          </div>
          {err("cover_media_id") && <p className="text-xs text-red-600">{err("cover_media_id")}</p>}
          <MediaPicker open={pickingCover} onPick={([m]) => set("cover_media_id", m)} onClose={() => setPickingCover(false)} />
        </div>
        <GalleryEditor value={form.gallery} onChange={(g) => set("gallery", g)} disabled={disabled} />
        {galleryErrors.length > 0 && <ul className="text-xs text-red-600">{galleryErrors.map((m, i) => <li key={i}>{m}</li>)}</ul>}
      </Card>

      <Card className="space-y-4">
        <ChipsField label={t("projects.f.tags")} value={form.tags} onChange={(v) => set("tags", v)} disabled={disabled} error={err("tags")} />
        <LinksField value={form.links} onChange={(v) => set("links", v)} disabled={disabled} errors={errors} />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={form.featured} disabled={disabled} onChange={(e) => set("featured", e.target.checked)} className="size-4 rounded border-slate-300 text-indigo-600" />
          {t("projects.f.featured")}
        </label>
      </Card>

      <ConfirmDialog open={stale} title={t("projects.stale.title")} confirmLabel={t("projects.stale.reload")} cancelLabel={t("projects.stale.keep")} danger onConfirm={() => void reload()} onCancel={() => setStale(false)}>
        <p>{t("projects.stale.body")}</p>
      </ConfirmDialog>
      <ConfirmDialog open={moving !== null} busy={busy}
        title={moving && base ? t("projects.confirmMove.title", { action: t(transitionLabel(base.status, moving)), name: base.title }) : ""}
        confirmLabel={moving && base ? t(transitionLabel(base.status, moving)) : ""} cancelLabel={t("projects.cancel")} danger={moving === "archived" || moving === "draft"}
        onConfirm={() => void move()} onCancel={() => setMoving(null)}>
        <p>{moving ? t(`projects.confirmMove.${moving}`) : ""}</p>
        {dirty && <p className="font-medium">{t("projects.confirmMove.unsaved")}</p>}
      </ConfirmDialog>
    </form>
  );
}
