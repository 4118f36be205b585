"use client";
import { useState } from "react";
import { ApiError } from "@/lib/api/client";
import { explainError, fieldMessages } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { webhookErrors } from "../api";
import { webhookEvents, type Webhook, type WebhookCreate } from "../types";

export type WebhookFormValue = Required<WebhookCreate>;

export const blankWebhook: WebhookFormValue = { url: "", description: "", events: [], active: true };
export const formOf = (w: Webhook): WebhookFormValue => ({ url: w.url, description: w.description, events: w.events, active: w.active });

/**
 * A webhook's fields: its URL, a description, the events it receives (none
 * ticked means every event) and, when editing, whether it is active. onSubmit
 * throws the server's refusal; a 422 is shown per field.
 */
export function WebhookForm({ initial, editing, onSubmit, onCancel }: { initial: WebhookFormValue; editing: boolean; onSubmit: (v: WebhookFormValue) => Promise<void>; onCancel: () => void }) {
  const { t } = useI18n();
  const [v, setV] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const toggle = (e: string) => setV((x) => ({ ...x, events: x.events.includes(e) ? x.events.filter((y) => y !== e) : [...x.events, e] }));

  async function submit() {
    const url = v.url.trim();
    if (!/^https?:\/\/\S+$/i.test(url)) {
      setErrors({ url: t("webhooks.err.url") });
      return;
    }
    setBusy(true);
    setErrors({});
    setError("");
    try {
      await onSubmit({ ...v, url, events: webhookEvents.filter((e) => v.events.includes(e)) });
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) setErrors(fieldMessages(t, e, webhookErrors));
      setError(explainError(t, e, webhookErrors));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="space-y-4" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }} data-testid="webhook-form">
      <Field label={t("webhooks.f.url")} type="url" dir="ltr" required maxLength={2048} value={v.url} error={errors.url} placeholder="https://example.com/hooks/pishkhan" autoFocus
        onChange={(e) => setV({ ...v, url: e.target.value })} name="url" />
      <Field label={t("webhooks.f.description")} dir="auto" maxLength={500} value={v.description} error={errors.description} onChange={(e) => setV({ ...v, description: e.target.value })} name="description" />
      <fieldset>
        <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">{t("webhooks.f.events")}</legend>
        <p className="mb-2 text-xs text-slate-500 dark:text-slate-400">{t("webhooks.f.eventsHint")}</p>
        <div className="grid grid-cols-1 gap-1 sm:grid-cols-2">
          {webhookEvents.map((e) => (
            <label key={e} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={v.events.includes(e)} onChange={() => toggle(e)} data-event={e} className="size-4 rounded border-slate-300 text-indigo-600" />
              <span>{t(`webhooks.event.${e}`)}</span>
              <code dir="ltr" className="text-xs text-slate-500">{e}</code>
            </label>
          ))}
        </div>
        {errors.events && <p className="mt-1 text-xs text-red-600">{errors.events}</p>}
      </fieldset>
      {editing && (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={v.active} onChange={(e) => setV({ ...v, active: e.target.checked })} className="size-4 rounded border-slate-300 text-indigo-600" />
          {t("webhooks.f.active")}
        </label>
      )}
      {error && <p role="alert" className="text-sm text-red-600 dark:text-red-400" data-testid="webhook-form-error">{error}</p>}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel} disabled={busy}>{t("webhooks.cancel")}</Button>
        <Button type="submit" disabled={busy} data-testid="webhook-submit">{editing ? t("webhooks.save") : t("webhooks.create")}</Button>
      </div>
    </form>
  );
}
