"use client";
import { useId, useState } from "react";
import { ApiError } from "@/lib/api/client";
import { explainError, fieldMessages, type ErrorCatalogue } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Field, Select } from "@/components/ui/Field";
import { parsePhrasings, type ChatLang } from "../logic";

export const area = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 aria-[invalid=true]:border-red-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";

/** A labelled textarea whose error is announced and tied to it. */
export function TextArea({ label, error, hint, ...props }: { label: string; error?: string; hint?: string } & React.TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{label}</label>
      <textarea id={id} dir="auto" aria-invalid={error ? true : undefined} aria-describedby={error ? id + "-err" : hint ? id + "-hint" : undefined} className={area} {...props} />
      {hint && !error && <p id={id + "-hint"} className="mt-1 text-xs text-slate-500 dark:text-slate-400">{hint}</p>}
      {error && <p id={id + "-err"} className="mt-1 text-xs text-red-600 dark:text-red-400">{error}</p>}
    </div>
  );
}

export type FaqFormValue = { lang: ChatLang; question: string; answer: string; phrasings: string };

/**
 * An FAQ entry's fields: its language, the question, other ways of asking
 * it (one a line) and the answer. onSubmit throws the server's refusal; a
 * 422 is shown per field.
 */
export function FaqForm({ initial, editing, catalogue, onSubmit, onCancel }: { initial: FaqFormValue; editing: boolean; catalogue: ErrorCatalogue; onSubmit: (v: { lang: ChatLang; question: string; answer: string; phrasings: string[] }) => Promise<void>; onCancel: () => void }) {
  const { t } = useI18n();
  const [v, setV] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState("");

  async function submit() {
    const question = v.question.trim(), answer = v.answer.trim();
    const missing: Record<string, string> = {};
    if (!question) missing.question = t("chat.err.required");
    if (!answer) missing.answer = t("chat.err.required");
    setErrors(missing);
    if (Object.keys(missing).length) return;
    setBusy(true);
    setError("");
    try {
      await onSubmit({ lang: v.lang, question, answer, phrasings: parsePhrasings(v.phrasings) });
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) setErrors(fieldMessages(t, e, catalogue));
      setError(explainError(t, e, catalogue));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="space-y-4" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }} data-testid="faq-form">
      <Select label={t("faq.f.lang")} name="lang" value={v.lang} error={errors.lang} onChange={(e) => setV({ ...v, lang: e.target.value as ChatLang })}>
        <option value="fa">{t("content.lang.fa")}</option>
        <option value="en">{t("content.lang.en")}</option>
      </Select>
      <Field label={t("faq.f.question")} name="question" dir="auto" maxLength={500} value={v.question} error={errors.question} autoFocus
        onChange={(e) => setV({ ...v, question: e.target.value })} />
      <TextArea label={t("faq.f.phrasings")} name="phrasings" rows={3} value={v.phrasings} error={errors.phrasings} hint={t("faq.f.phrasingsHint")}
        onChange={(e) => setV({ ...v, phrasings: e.target.value })} />
      <TextArea label={t("faq.f.answer")} name="answer" rows={5} maxLength={5000} value={v.answer} error={errors.answer}
        onChange={(e) => setV({ ...v, answer: e.target.value })} />
      {error && <p role="alert" className="text-sm text-red-600 dark:text-red-400" data-testid="faq-form-error">{error}</p>}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel} disabled={busy}>{t("chat.cancel")}</Button>
        <Button type="submit" disabled={busy} data-testid="faq-submit">{editing ? t("faq.save") : t("faq.create")}</Button>
      </div>
    </form>
  );
}

export type CannedFormValue = { lang: ChatLang; title: string; text: string };

/** A canned reply's fields: language, a title to pick it by, and its text. */
export function CannedForm({ initial, editing, catalogue, onSubmit, onCancel }: { initial: CannedFormValue; editing: boolean; catalogue: ErrorCatalogue; onSubmit: (v: CannedFormValue) => Promise<void>; onCancel: () => void }) {
  const { t } = useI18n();
  const [v, setV] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState("");

  async function submit() {
    const title = v.title.trim(), text = v.text.trim();
    const missing: Record<string, string> = {};
    if (!title) missing.title = t("chat.err.required");
    if (!text) missing.text = t("chat.err.required");
    setErrors(missing);
    if (Object.keys(missing).length) return;
    setBusy(true);
    setError("");
    try {
      await onSubmit({ lang: v.lang, title, text });
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) setErrors(fieldMessages(t, e, catalogue));
      setError(explainError(t, e, catalogue));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="space-y-4" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }} data-testid="canned-form">
      <Select label={t("faq.f.lang")} name="lang" value={v.lang} error={errors.lang} onChange={(e) => setV({ ...v, lang: e.target.value as ChatLang })}>
        <option value="fa">{t("content.lang.fa")}</option>
        <option value="en">{t("content.lang.en")}</option>
      </Select>
      <Field label={t("canned.f.title")} name="title" dir="auto" maxLength={200} value={v.title} error={errors.title} autoFocus onChange={(e) => setV({ ...v, title: e.target.value })} />
      <TextArea label={t("canned.f.text")} name="text" rows={4} maxLength={2000} value={v.text} error={errors.text} onChange={(e) => setV({ ...v, text: e.target.value })} />
      {error && <p role="alert" className="text-sm text-red-600 dark:text-red-400">{error}</p>}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel} disabled={busy}>{t("chat.cancel")}</Button>
        <Button type="submit" disabled={busy} data-testid="canned-submit">{editing ? t("faq.save") : t("faq.create")}</Button>
      </div>
    </form>
  );
}
