"use client";
import { useId, useState } from "react";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { usePostSearch, useUserSearch } from "../../api";
import type { PostAuthor, PostLang } from "../../types";

const control = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-900";
const option = "block w-full rounded px-2 py-1.5 text-start text-sm hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-700";

/**
 * The post's authors as chips; more are found by name or email among the
 * users (for those who may list users), else the writer can add themself.
 */
export function AuthorsField({ value, onChange, me, canSearch }: { value: PostAuthor[]; onChange: (v: PostAuthor[]) => void; me?: PostAuthor; canSearch: boolean }) {
  const { t } = useI18n();
  const id = useId();
  const [q, setQ] = useState("");
  const found = useUserSearch(q, canSearch && q.trim().length > 0);
  const add = (a: PostAuthor) => {
    if (!value.some((x) => x.id === a.id)) onChange([...value, a]);
    setQ("");
  };
  return (
    <div>
      <p className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300" id={id + "-l"}>{t("post.authors")}</p>
      <ul className="mb-2 flex flex-wrap gap-1" aria-labelledby={id + "-l"}>
        {value.map((a) => (
          <li key={a.id} className="inline-flex items-center gap-1 rounded-full bg-slate-100 py-0.5 ps-2.5 pe-1 text-xs dark:bg-slate-700">
            <span dir="auto">{a.name}</span>
            <button type="button" onClick={() => onChange(value.filter((x) => x.id !== a.id))} aria-label={t("post.chips.remove", { name: a.name })}
              className="rounded-full px-1 hover:bg-slate-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:hover:bg-slate-600">×</button>
          </li>
        ))}
      </ul>
      {canSearch ? (
        <div>
          <label htmlFor={id} className="sr-only">{t("post.authors.find")}</label>
          <input id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t("post.authors.find")} className={control} />
          {q.trim() && (found.data?.length ?? 0) > 0 && (
            <ul className="mt-1 rounded-md border border-slate-200 p-1 dark:border-slate-700" aria-label={t("post.authors.found")}>
              {found.data!.map((u) => (
                <li key={u.id}><button type="button" className={option} onClick={() => add({ id: u.id, name: u.name || u.email })}>
                  <span dir="auto">{u.name}</span> <span className="text-xs text-slate-500" dir="ltr">{u.email}</span>
                </button></li>
              ))}
            </ul>
          )}
        </div>
      ) : me && !value.some((a) => a.id === me.id) ? (
        <Button type="button" variant="secondary" onClick={() => add(me)}>{t("post.authors.addMe")}</Button>
      ) : null}
    </div>
  );
}

/** The post's translation: a post in the other language, found by its title. */
export function TranslationField({ lang, value, onChange }: { lang: PostLang; value: number | null; onChange: (id: number | null) => void }) {
  const { t } = useI18n();
  const id = useId();
  const other: PostLang = lang === "fa" ? "en" : "fa";
  const [q, setQ] = useState("");
  const [chosen, setChosen] = useState<{ id: number; title: string } | null>(null);
  const found = usePostSearch(other, q, q.trim().length > 0);
  const shown = value === null ? null : chosen?.id === value ? chosen.title : `#${value}`;
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{t("post.translation", { lang: t(`post.lang.${other}`) })}</label>
      {shown !== null && (
        <p className="mb-2 flex items-center gap-2 text-sm" data-testid="translation">
          <a href={`/posts/edit?id=${value}`} className="text-indigo-700 underline dark:text-indigo-300" dir="auto">{shown}</a>
          <Button type="button" variant="ghost" onClick={() => onChange(null)}>{t("post.translation.unlink")}</Button>
        </p>
      )}
      <input id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t("post.translation.find")} className={control} dir="auto" />
      {q.trim() && (found.data?.length ?? 0) > 0 && (
        <ul className="mt-1 rounded-md border border-slate-200 p-1 dark:border-slate-700" aria-label={t("post.translation.found")}>
          {found.data!.map((p) => (
            <li key={p.id}><button type="button" className={option} dir="auto" onClick={() => { setChosen({ id: p.id, title: p.title }); onChange(p.id); setQ(""); }}>{p.title}</button></li>
          ))}
        </ul>
      )}
    </div>
  );
}
