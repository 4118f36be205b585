"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useId, useMemo, useState, type KeyboardEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError } from "@/lib/api/client";
import { explainError, fieldMessages } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { can as holds, useMe } from "@/lib/me";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { createPost, fetchAutosave, fetchPost, postErrors, postKeys, putAutosave, savePost, usePost, type PostWithEtag } from "../../api";
import { Autosaver, type AutosaveState } from "../../autosave";
import { emptyForm, formFromSnapshot, formOf, inputOf, type EditorForm } from "../../form";
import { slugify } from "../../slug";
import type { Autosave, Post, PostLang } from "../../types";
import { ChipsInput } from "./ChipsInput";
import { ConflictDialog } from "./ConflictDialog";
import { ImageField } from "./ImageField";
import { MarkdownEditor } from "./MarkdownEditor";
import { AuthorsField, TranslationField } from "./Pickers";
import { Preview } from "./Preview";
import { RevisionsPanel } from "./RevisionsPanel";
import { SeoPanel } from "./SeoPanel";
import { AutosaveIndicator, PresenceBar, PreviewLinkButton } from "./StatusBits";
import { WorkflowCard } from "./WorkflowCard";

const control = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 aria-[invalid=true]:border-red-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";
const labelClass = "mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300";

/** The body sent for a form: the slug in its normalised form (the server refuses any other). */
const bodyOf = (f: EditorForm) => ({ ...inputOf(f), slug: slugify(f.slug) });
const sameContent = (a: EditorForm, b: EditorForm) => JSON.stringify(bodyOf(a)) === JSON.stringify(bodyOf(b));

/** Whether the server's copy is newer than the one the form started from. */
const newer = (server: Post, base: Post) => (server.revision ?? 0) > (base.revision ?? 0) || (server.revision === base.revision && server.updated_at > base.updated_at);

/** The editor screen: a post by id, or a new one (id 0); a negative id (no or a bad ?id=) is not found. */
export function PostEditor({ id }: { id: number }) {
  const { t } = useI18n();
  const me = useMe();
  const post = usePost(id);
  if (me.isPending || (id > 0 && post.isPending)) return <div className="space-y-4" aria-busy><Skeleton className="h-8 w-64" /><Skeleton className="h-96 w-full" /></div>;
  // a failed refetch keeps the editor (and what was typed): only a post never read is an error screen
  if (id < 0 || (id > 0 && post.isError && !post.data)) {
    const e = id < 0 ? new ApiError(404, "NOT_FOUND", "") : post.error instanceof ApiError ? post.error : null;
    return (
      <Card role="alert" className="text-center">
        <p className="mb-3">{e?.status === 404 ? t("post.notFound") : explainError(t, post.error, postErrors)}</p>
        <Link prefetch={false} href="/posts" className="text-indigo-600 underline dark:text-indigo-400">{t("post.back")}</Link>
      </Card>
    );
  }
  const meAuthor = me.data ? { id: me.data.id, name: me.data.name || me.data.email } : undefined;
  return <EditorBody id={id} first={id > 0 ? post.data! : null} latest={id > 0 ? post.data ?? null : null} meAuthor={meAuthor}
    can={(p: string) => holds(me.data, p)} />;
}

function EditorBody({ id, first, latest, meAuthor, can }: { id: number; first: PostWithEtag | null; latest: PostWithEtag | null; meAuthor?: { id: number; name: string }; can: (p: string) => boolean }) {
  // the post as first read: later reads (events, focus) arrive as latest and never reset the form by themselves
  const [initial] = useState(first);
  const { t, locale, dateTime } = useI18n();
  const toast = useToast();
  const router = useRouter();
  const qc = useQueryClient();
  const ids = { title: useId(), slug: useId(), lang: useId(), excerpt: useId(), body: useId(), reason: useId() };
  // a scheduled post goes live as it stands: only a publisher may change it (the server refuses writers)
  const lockedScheduled = initial?.post.status === "scheduled" && !can("content.publish");
  const canEdit = (can("content.edit") || can("content.publish")) && !lockedScheduled;

  // the version the form started from (and the ETag its save sends); after a save, what was saved
  const [base, setBase] = useState<PostWithEtag | null>(initial);
  const [form, setForm] = useState<EditorForm>(() => (initial ? formOf(initial.post) : emptyForm(locale as PostLang, meAuthor)));
  // a new post's slug follows its title until the writer edits it
  const [slugEdited, setSlugEdited] = useState(initial !== null);
  const [reason, setReason] = useState("");
  const [saving, setSaving] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [conflict, setConflict] = useState<{ theirs: PostWithEtag; mine: EditorForm } | null>(null);
  const [offer, setOffer] = useState<Autosave | null>(null);
  const [auto, setAuto] = useState<AutosaveState>({ kind: "idle" });

  const baseForm = useMemo(() => (base ? formOf(base.post) : null), [base]);
  const dirty = baseForm ? !sameContent(form, baseForm) : form.title.trim() !== "" || form.body_md.trim() !== "";
  const set = useCallback((f: (x: EditorForm) => EditorForm) => setForm(f), []);

  // autosave: one rolling copy per user and post on the server, never the post itself
  const saver = useMemo(
    () => (id > 0 ? new Autosaver<EditorForm>((f) => putAutosave(id, { snapshot: bodyOf(f) }), setAuto) : null),
    [id],
  );
  useEffect(() => () => saver?.stop(), [saver]);
  useEffect(() => {
    if (saver && dirty && !offer) saver.change(form);
  }, [saver, form, dirty, offer]);
  useEffect(() => {
    if (!saver) return;
    const online = () => saver.online();
    const offline = () => setAuto({ kind: "offline" });
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    return () => {
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
    };
  }, [saver]);

  // on open: an autosave of this user newer than the post is offered back
  useEffect(() => {
    if (id <= 0 || !initial) return;
    const ctl = new AbortController();
    fetchAutosave(id, ctl.signal).then((a) => {
      if (!a || ctl.signal.aborted) return;
      const restored = formFromSnapshot(formOf(initial.post), a.snapshot ?? {});
      // stale: the post was saved after it (by this user or another); it is offered only while it is the newer text
      if (!a.stale && a.updated_at > initial.post.updated_at && !sameContent(restored, formOf(initial.post))) setOffer(a);
    }, () => {});
    return () => ctl.abort();
  }, [id, initial]);

  // unsaved changes are not lost to a closed tab without asking
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  // someone else saved: a clean form follows; a dirty one is told and may merge
  const remoteNewer = !!(base && latest && newer(latest.post, base.post));
  if (remoteNewer && !dirty && latest) {
    // adjusting state to the new server copy during render (it converges: base becomes latest)
    setBase(latest);
    setForm(formOf(latest.post));
  }

  function setTitle(title: string) {
    setForm((f) => ({ ...f, title, slug: slugEdited ? f.slug : slugify(title) }));
  }
  function setSlug(typed: string) {
    if (typed === "") {
      setSlugEdited(false);
      setForm((f) => ({ ...f, slug: slugify(f.title) }));
    } else {
      setSlugEdited(true);
      setForm((f) => ({ ...f, slug: typed }));
    }
  }

  async function save(toSave: EditorForm = form, etag: string = base?.etag ?? "") {
    if (saving || !canEdit) return;
    setSaving(true);
    setErrors({});
    try {
      if (id <= 0) {
        const p = await createPost(bodyOf(toSave));
        setBase({ post: p, etag: "" }); // not dirty any more: leaving asks nothing
        toast("info", t("post.created"));
        router.replace(`/posts/edit?id=${p.id}`);
        return;
      }
      const saved = await savePost(id, { ...bodyOf(toSave), revision_reason: reason.trim() || undefined }, etag);
      saver?.discard(); // the server drops the saver's autosave with a real save
      setBase(saved);
      setForm((now) => (now === toSave ? formOf(saved.post) : now));
      setReason("");
      setConflict(null);
      toast("info", t("post.saved"));
      void qc.invalidateQueries({ queryKey: postKeys.revisions(id) });
    } catch (e) {
      if (e instanceof ApiError && e.code === "PRECONDITION_FAILED" && id > 0) {
        try {
          setConflict({ theirs: await fetchPost(id), mine: toSave });
        } catch (e2) {
          toast("error", explainError(t, e2, postErrors));
        }
      } else if (e instanceof ApiError && (e.code === "VALIDATION_FAILED" || e.code === "CONFLICT")) {
        setErrors(fieldMessages(t, e, postErrors));
        toast("error", explainError(t, e, postErrors));
      } else toast("error", explainError(t, e, postErrors));
    } finally {
      setSaving(false);
    }
  }

  function adopt(p: Post) {
    // a move or a restore changed the server's copy: read it again for its ETag
    void fetchPost(p.id).then((fresh) => {
      setBase(fresh);
      setForm(formOf(fresh.post));
    }, () => {});
    void qc.invalidateQueries({ queryKey: postKeys.all });
  }

  function onKeyDown(e: KeyboardEvent) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "s") {
      e.preventDefault();
      void save();
    }
  }

  const err = (field: string) => errors[field];
  const normalisedSlug = slugify(form.slug);
  const host = typeof window !== "undefined" ? window.location.host : "";
  const current = base?.post;

  return (
    <div className="space-y-4" onKeyDown={onKeyDown}>
      <Link prefetch={false} href="/posts" className="text-sm text-indigo-600 underline underline-offset-2 dark:text-indigo-400">{t("post.back")}</Link>
      <div className="flex flex-wrap items-center gap-3">
        {/* dir="auto": a title in the other script is cut at its own end, not its start */}
        <h1 className="min-w-0 flex-1 truncate text-2xl font-bold" dir={id > 0 && form.title ? "auto" : undefined}>{id > 0 ? form.title || t("post.untitled") : t("post.title.new")}</h1>
        {id > 0 && <PresenceBar postId={id} meId={meAuthor?.id} />}
        <AutosaveIndicator state={auto} />
        {dirty && <span className="text-xs text-slate-600 dark:text-slate-300" data-testid="dirty">{t("post.unsaved")}</span>}
        {canEdit && <Button onClick={() => save()} disabled={saving || (!dirty && id > 0)} data-testid="save" title={t("post.saveKey")}>{saving ? t("post.saving") : t("post.save")}</Button>}
      </div>

      {offer && (
        <div role="alert" className="flex flex-wrap items-center gap-3 rounded-md border border-indigo-300 bg-indigo-50 p-3 text-sm dark:border-indigo-700 dark:bg-indigo-950" data-testid="autosave-offer">
          <span className="flex-1">{t("post.auto.offer", { at: dateTime(offer.updated_at) })}</span>
          <Button onClick={() => { setForm((f) => formFromSnapshot(f, offer.snapshot ?? {})); setOffer(null); }}>{t("post.auto.restore")}</Button>
          <Button variant="secondary" onClick={() => setOffer(null)}>{t("post.auto.discard")}</Button>
        </div>
      )}
      {remoteNewer && dirty && latest && !conflict && (
        <div role="alert" className="flex flex-wrap items-center gap-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200" data-testid="remote-newer">
          <span className="flex-1">{t("post.remoteNewer")}</span>
          <Button variant="secondary" onClick={() => setConflict({ theirs: latest, mine: form })}>{t("post.remoteReview")}</Button>
        </div>
      )}

      {lockedScheduled && <p role="note" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">{t("post.lockedScheduled")}</p>}
      <fieldset disabled={!canEdit} className="grid grid-cols-1 gap-4 xl:grid-cols-3">
        <legend className="sr-only">{t("post.fields")}</legend>
        <div className="space-y-4 xl:col-span-2">
          <Card className="space-y-3">
            <div>
              <label htmlFor={ids.title} className={labelClass}>{t("post.title")}</label>
              <input id={ids.title} value={form.title} onChange={(e) => setTitle(e.target.value)} dir="auto" maxLength={200} required
                aria-invalid={err("title") ? true : undefined} aria-describedby={err("title") ? ids.title + "-e" : undefined} className={`${control} text-lg`} data-testid="title" />
              {err("title") && <p id={ids.title + "-e"} className="mt-1 text-xs text-red-700 dark:text-red-400">{err("title")}</p>}
            </div>
            <div>
              <label htmlFor={ids.slug} className={labelClass}>{t("post.slug")}</label>
              <input id={ids.slug} value={form.slug} onChange={(e) => setSlug(e.target.value)} dir="auto" aria-describedby={ids.slug + "-h"}
                aria-invalid={err("slug") ? true : undefined} className={control} data-testid="slug" />
              <p id={ids.slug + "-h"} className={`mt-1 text-xs ${err("slug") ? "text-red-700 dark:text-red-400" : "text-slate-600 dark:text-slate-400"}`} data-testid="slug-hint">
                {err("slug") || (normalisedSlug === "" ? t("post.slug.empty") : normalisedSlug !== form.slug ? t("post.slug.becomes", { slug: `\u2068${normalisedSlug}\u2069` }) : slugEdited ? t("post.slug.fixed") : t("post.slug.auto"))}
              </p>
            </div>
          </Card>
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
            <MarkdownEditor id={ids.body} value={form.body_md} onChange={(body_md) => setForm((f) => ({ ...f, body_md }))} lang={form.lang} />
            <Preview markdown={form.body_md} lang={form.lang} />
          </div>
          {err("body_md") && <p className="text-xs text-red-700 dark:text-red-400">{err("body_md")}</p>}
          <Card className="space-y-3">
            <h2 className="font-semibold">{t("post.seo")}</h2>
            <SeoPanel form={form} set={set} url={`${host} › ${normalisedSlug}`} />
            {["seo.title", "seo.description", "seo.canonical_url", "seo.og_image_media_id"].map((f) => err(f) && <p key={f} className="text-xs text-red-700 dark:text-red-400">{err(f)}</p>)}
          </Card>
        </div>

        <div className="space-y-4">
          {id > 0 && current && (
            <Card className="space-y-3">
              <h2 className="font-semibold">{t("post.workflow")}</h2>
              <WorkflowCard post={current} etag={base!.etag} dirty={dirty} can={can} onMoved={adopt} />
              <PreviewLinkButton postId={id} />
            </Card>
          )}
          {id > 0 && canEdit && (
            <Card>
              <label htmlFor={ids.reason} className={labelClass}>{t("post.reason")}</label>
              <input id={ids.reason} value={reason} onChange={(e) => setReason(e.target.value)} dir="auto" maxLength={200} className={control} placeholder={t("post.reasonHint")} />
            </Card>
          )}
          <Card className="space-y-3">
            <h2 className="font-semibold">{t("post.details")}</h2>
            <div>
              <label htmlFor={ids.lang} className={labelClass}>{t("post.lang")}</label>
              <select id={ids.lang} value={form.lang} onChange={(e) => setForm((f) => ({ ...f, lang: e.target.value as PostLang }))} className={control}>
                <option value="fa">{t("post.lang.fa")}</option>
                <option value="en">{t("post.lang.en")}</option>
              </select>
            </div>
            <div>
              <label htmlFor={ids.excerpt} className={labelClass}>{t("post.excerpt")}</label>
              <textarea id={ids.excerpt} value={form.excerpt} onChange={(e) => setForm((f) => ({ ...f, excerpt: e.target.value }))} dir="auto" rows={3} maxLength={500} className={control}
                aria-invalid={err("excerpt") ? true : undefined} />
              {err("excerpt") && <p className="mt-1 text-xs text-red-700 dark:text-red-400">{err("excerpt")}</p>}
            </div>
            <ChipsInput label={t("post.tags")} value={form.tags} onChange={(tags) => setForm((f) => ({ ...f, tags }))} testId="tags" />
            <ChipsInput label={t("post.categories")} value={form.categories} onChange={(categories) => setForm((f) => ({ ...f, categories }))} testId="categories" />
            <AuthorsField value={form.authors} onChange={(authors) => setForm((f) => ({ ...f, authors }))} me={meAuthor} canSearch={can("users.view")} />
            <ImageField label={t("post.cover")} value={form.cover_media_id} onChange={(cover_media_id) => setForm((f) => ({ ...f, cover_media_id }))} />
            <TranslationField lang={form.lang} value={form.translation_of} onChange={(translation_of) => setForm((f) => ({ ...f, translation_of }))} />
            {["tags", "categories", "authors", "cover_media_id", "translation_of", "lang"].map((f) => err(f) && <p key={f} className="text-xs text-red-700 dark:text-red-400">{err(f)}</p>)}
          </Card>
          {id > 0 && current && (
            <Card className="space-y-3">
              <h2 className="font-semibold">{t("post.revisions")}</h2>
              <RevisionsPanel post={current} etag={base!.etag} dirty={dirty} canEdit={canEdit} onRestored={adopt} />
            </Card>
          )}
        </div>
      </fieldset>

      {conflict && baseForm && (
        <ConflictDialog key={conflict.theirs.etag} open base={baseForm} mine={conflict.mine} theirs={formOf(conflict.theirs.post)} busy={saving}
          onCancel={() => setConflict(null)}
          onResolve={(merged) => {
            setForm(merged);
            void save(merged, conflict.theirs.etag);
          }} />
      )}
    </div>
  );
}
