"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { can, useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { copyText } from "@/lib/clipboard";
import { explainError } from "@/lib/errors";
import { focusNextHeading } from "@/lib/focusRescue";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Field } from "@/components/ui/Field";
import { isMediaKind, thumbnailOf, useDeleteMedia, useMedia, useUpdateMedia, type Media, type MediaText } from "../api";
import { dimensions, humanSize } from "../format";
import { reasonKey } from "../reasons";
import { MediaBadges } from "./MediaStatusBadge";
import { Thumb } from "./Thumb";

type Texts = { title: MediaText; alt: MediaText };
const textsOf = (m: Media): Texts => ({ title: { ...m.title }, alt: { ...m.alt } });
const same = (a: Texts, b: Texts) => a.title.fa === b.title.fa && a.title.en === b.title.en && a.alt.fa === b.alt.fa && a.alt.en === b.alt.en;

/** Titles and alt text in both languages, saved with If-Match against the version the form was filled from. */
function EditTexts({ m, etag, editable }: { m: Media; etag: string; editable: boolean }) {
  const { t } = useI18n();
  const toast = useToast();
  const update = useUpdateMedia(m.id);
  // the version the form was filled from; a newer one replaces the form only while nothing was typed
  const [base, setBase] = useState({ texts: textsOf(m), etag });
  const [form, setForm] = useState<Texts>(() => textsOf(m));
  const [stale, setStale] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const dirty = !same(form, base.texts);
  if (!dirty && !stale && base.etag !== etag) {
    setBase({ texts: textsOf(m), etag });
    setForm(textsOf(m));
  }
  const reload = () => {
    setBase({ texts: textsOf(m), etag });
    setForm(textsOf(m));
    setStale(false);
  };
  const set = (part: keyof Texts, lang: keyof MediaText) => (v: string) => setForm((f) => ({ ...f, [part]: { ...f[part], [lang]: v } }));

  async function save(e: FormEvent) {
    e.preventDefault();
    setStale(false);
    setFields({});
    try {
      await update.mutateAsync({ ...form, etag: base.etag });
      // the answer's ETag arrives with the refetch; the form now matches it
      setBase({ texts: form, etag: base.etag });
      toast("info", t("media.saved"));
    } catch (err) {
      if (err instanceof ApiError && err.code === "PRECONDITION_FAILED") setStale(true);
      else if (err instanceof ApiError && err.code === "VALIDATION_FAILED") setFields(err.fields);
      else if (err instanceof ApiError) toast("error", explainError(t, err));
    }
  }

  const input = (part: keyof Texts, lang: keyof MediaText) => (
    <Field key={part + lang} label={t(`media.${part}.${lang}`)} name={`${part}.${lang}`} value={form[part][lang]} dir={lang === "fa" ? "rtl" : "ltr"}
      lang={lang} maxLength={500} disabled={!editable} error={fields[`${part}.${lang}`]} onChange={(e) => set(part, lang)(e.target.value)} />
  );
  return (
    <Card>
      <h2 className="mb-3 font-semibold">{t("media.texts")}</h2>
      {stale && (
        <div role="alert" data-testid="media-stale" className="mb-3 flex flex-wrap items-center justify-between gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">
          <span>{t("media.stale")}</span>
          <Button variant="secondary" className="px-2 py-1 text-xs" onClick={reload}>{t("media.reload")}</Button>
        </div>
      )}
      <form onSubmit={save} className="space-y-3" data-testid="media-edit">
        <div className="grid gap-3 sm:grid-cols-2">
          {input("title", "fa")}
          {input("title", "en")}
          {input("alt", "fa")}
          {input("alt", "en")}
        </div>
        <p className="text-xs text-slate-500 dark:text-slate-400">{t("media.altHint")}</p>
        {editable && (
          <div className="flex flex-wrap gap-2">
            <Button type="submit" disabled={!dirty || update.isPending}>{t("media.save")}</Button>
            {dirty && <Button variant="ghost" onClick={reload}>{t("media.discard")}</Button>}
          </div>
        )}
      </form>
    </Card>
  );
}

/** One item: preview, facts, titles and alt text, link and delete. */
export function MediaDetail({ id }: { id: number }) {
  const { t, dateTime, locale } = useI18n();
  const me = useMe();
  const q = useMedia(id);
  const del = useDeleteMedia();
  const toast = useToast();
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);

  if (q.isPending) return <div className="space-y-4" aria-busy><Skeleton className="h-8 w-64" /><Skeleton className="h-80 w-full" /></div>;
  if (q.isError) {
    const e = q.error instanceof ApiError ? q.error : null;
    return (
      <Card role="alert" className="text-center">
        <p className="mb-3">{e?.status === 404 ? t("media.notFound") : e?.status === 403 ? t("error.forbidden") : t("media.error")}</p>
        <Link prefetch={false} href="/media" className="text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("media.back")}</Link>
      </Card>
    );
  }
  const { media: m, etag } = q.data;
  const reason = reasonKey(m);
  const preview = m.status === "ready" ? thumbnailOf(m, "1024") : null;
  const absolute = m.url ? new URL(m.url, window.location.origin).href : "";
  const kind = isMediaKind(m.kind) ? m.kind : "document";

  async function copy() {
    const ok = await copyText(absolute);
    toast(ok ? "info" : "error", t(ok ? "media.copied" : "media.copyFailed"));
  }
  async function remove() {
    try {
      await del.mutateAsync(m.id);
      toast("info", t("media.deletedOne", { name: m.filename }));
      // the item is gone: focus goes to the library's heading, not the top of the page
      focusNextHeading();
      router.push("/media");
    } catch (e) {
      setConfirming(false);
      toast("error", explainError(t, e, { otherwise: "media.deleteFailed" }));
    }
  }

  const fact = (label: string, value: React.ReactNode, testid?: string) => (
    <div className="flex flex-wrap justify-between gap-x-4 gap-y-0.5 py-1.5">
      <dt className="text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="min-w-0 text-end" data-testid={testid}>{value}</dd>
    </div>
  );

  return (
    <div className="space-y-4" data-testid="media-detail" data-status={m.status}>
      <Link prefetch={false} href="/media" className="text-sm text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("media.back")}</Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="min-w-0 break-all text-2xl font-bold"><bdi>{m.filename}</bdi></h1>
        <span data-testid="media-status"><MediaBadges status={m.status} scan={m.scan} /></span>
      </div>
      {reason && <p role="status" data-testid="media-reason" data-reason={m.reason_code} className="rounded-md border border-rose-300 bg-rose-50 p-3 text-sm text-rose-900 dark:border-rose-800 dark:bg-rose-950 dark:text-rose-200"><span className="font-medium">{t("media.reason")}: </span><span>{t(reason)}</span></p>}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-5">
        <div className="space-y-4 lg:col-span-3">
          <section aria-label={t("media.preview")} className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-700 dark:bg-slate-800">
            <div className="flex max-h-[32rem] min-h-48 items-center justify-center overflow-hidden bg-slate-100 dark:bg-slate-900" data-testid="media-preview">
              {preview ? (
                // eslint-disable-next-line @next/next/no-img-element
                <img src={preview} alt={(locale === "fa" ? m.alt.fa || m.alt.en : m.alt.en || m.alt.fa) || m.filename} className="max-h-[32rem] w-auto max-w-full object-contain" data-thumb="1024" />
              ) : (
                <div className="size-40"><Thumb m={m} /></div>
              )}
            </div>
            <div className="flex flex-wrap items-center gap-2 p-3">
              {m.url ? (
                <>
                  <a href={m.url} download={m.filename} data-testid="media-download"
                    className="inline-flex items-center gap-2 rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 dark:focus-visible:ring-offset-slate-900">
                    <span aria-hidden>{"⤓"}</span>{t("media.download")}
                  </a>
                  <Button variant="secondary" onClick={copy} data-testid="media-copy">{t("media.copyUrl")}</Button>
                </>
              ) : (
                <span className="text-sm text-slate-500 dark:text-slate-400">{t("media.noUrl")}</span>
              )}
              {can(me.data, "media.delete") && (
                <Button variant="danger" className="ms-auto" onClick={() => setConfirming(true)} data-testid="media-delete">{t("media.delete")}</Button>
              )}
            </div>
          </section>
          <EditTexts key={m.id} m={m} etag={etag} editable={can(me.data, "media.upload")} />
        </div>
        <Card className="h-fit lg:col-span-2">
          <h2 className="mb-2 font-semibold">{t("media.facts")}</h2>
          <dl className="divide-y divide-slate-100 text-sm dark:divide-slate-700">
            {fact(t("media.kind"), t(`media.kind.${kind}`))}
            {fact(t("media.contentType"), <span dir="ltr" className="font-mono text-xs">{m.content_type}</span>)}
            {fact(t("media.size"), <span className="tabular-nums" title={t("bytes", { n: m.size })}>{humanSize(m.size, locale)}</span>, "media-size")}
            {m.width > 0 && m.height > 0 && fact(t("media.dimensions"), <span dir="ltr" className="tabular-nums">{dimensions(m.width, m.height, locale)}</span>, "media-dimensions")}
            {fact(t("media.scan"), t(`media.scan.${(["pending", "clean", "infected", "not_scanned"].includes(m.scan) ? m.scan : "pending") as "pending"}`), "media-scan")}
            {fact(t("media.owner"), <span dir="ltr" className="break-all">{m.owner.email}</span>)}
            {fact(t("media.createdAt"), <time dateTime={m.created_at}>{dateTime(m.created_at)}</time>)}
            {fact(t("media.updatedAt"), <time dateTime={m.updated_at}>{dateTime(m.updated_at)}</time>)}
          </dl>
        </Card>
      </div>
      <ConfirmDialog open={confirming} title={t("media.deleteTitle")} confirmLabel={t("media.deleteConfirm")} cancelLabel={t("media.keep")}
        danger busy={del.isPending} onConfirm={remove} onCancel={() => setConfirming(false)}>
        <p>{t("media.deleteBody", { name: m.filename })}</p>
      </ConfirmDialog>
    </div>
  );
}
