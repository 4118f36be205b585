"use client";
import { useEffect, useId, useRef, useState } from "react";
import { ApiError } from "@/lib/api/client";
import { explainError, explainListError, fieldMessages } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { can, useMe } from "@/lib/me";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { Modal } from "@/components/ui/Modal";
import { chatErrors, useCanned, useConversation, useReply, useReplyToFaq, useResolve, useTake, type ChatSource, type PanelMessage } from "../api";
import { conversationActions } from "../logic";
import { StateBadge } from "./StateBadge";

const textarea = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 aria-[invalid=true]:border-red-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";
const bubble: Record<PanelMessage["role"], string> = {
  visitor: "me-8 bg-slate-100 dark:bg-slate-700/70",
  bot: "me-8 border border-slate-200 bg-white dark:border-slate-600 dark:bg-slate-800",
  agent: "ms-8 bg-indigo-50 dark:bg-indigo-950/70",
};

/** A cited source: a link to its page on the website, or an FAQ entry's question. */
function SourceLink({ s }: { s: ChatSource }) {
  const { t } = useI18n();
  const label = s.title || s.slug;
  return s.url
    ? <a href={s.url} target="_blank" rel="noopener noreferrer" dir="auto" className="text-indigo-700 underline hover:no-underline dark:text-indigo-300" data-source={s.type}>{label}</a>
    : <span dir="auto" data-source={s.type}>{t("chat.source.faq")}{": "}{label}</span>;
}

/**
 * One conversation (chatbot.view): its transcript, visitor, bot and agent
 * apart, with the bot's sources as links; with chatbot.handle, Take, a reply
 * (canned replies offered in the conversation's language) and Resolve; with
 * chatbot.manage, an agent's reply turned into an FAQ entry.
 */
export function ConversationPane({ id, onClose }: { id: number; onClose: () => void }) {
  const { t, dateTime, number } = useI18n();
  const toast = useToast();
  const me = useMe();
  const conv = useConversation(id);
  const mayHandle = can(me.data, "chatbot.handle");
  const mayManage = can(me.data, "chatbot.manage");
  const canned = useCanned(mayHandle);
  const take = useTake();
  const resolve = useResolve();
  const reply = useReply();
  const toFaq = useReplyToFaq();
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const [textError, setTextError] = useState("");
  const [confirmResolve, setConfirmResolve] = useState(false);
  const [faqFrom, setFaqFrom] = useState<{ message: PanelMessage; question: string } | null>(null);
  const [faqError, setFaqError] = useState("");
  const replyId = useId();
  const log = useRef<HTMLOListElement>(null);
  const c = conv.data;
  const count = c?.messages.length ?? 0;

  // the newest message in view, as in any chat
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [count]);

  if (conv.isPending) return <Card className="space-y-3" aria-busy="true"><Skeleton className="h-6 w-40" /><Skeleton className="h-24 w-full" /><Skeleton className="h-24 w-full" /></Card>;
  if (conv.isError || !c) {
    return (
      <Card role="alert" className="space-y-3 text-center" data-testid="conversation-error">
        <p className="text-red-600 dark:text-red-400">{explainListError(t, conv.error, "chat.error", chatErrors)}</p>
        <Button variant="secondary" onClick={onClose}>{t("chat.close")}</Button>
      </Card>
    );
  }
  const acts = conversationActions(c, { id: me.data?.id ?? 0, handle: mayHandle });
  const cannedHere = (canned.data ?? []).filter((x) => x.lang === c.lang);

  async function act(fn: () => Promise<unknown>, done: string) {
    setError("");
    try {
      await fn();
      toast("info", done);
    } catch (e) {
      setError(explainError(t, e, chatErrors));
    }
  }

  async function send() {
    const body = text.trim();
    if (!body) {
      setTextError(t("chat.err.required"));
      return;
    }
    setError("");
    setTextError("");
    try {
      await reply.mutateAsync({ id, text: body });
      setText("");
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) setTextError(fieldMessages(t, e, chatErrors).text ?? "");
      setError(explainError(t, e, chatErrors));
    }
  }

  /** The visitor's message just before an agent's reply: the FAQ entry's question unless changed. */
  function askedBefore(m: PanelMessage) {
    const i = c!.messages.findIndex((x) => x.id === m.id);
    return c!.messages.slice(0, i).reverse().find((x) => x.role === "visitor")?.text ?? "";
  }

  async function makeFaq() {
    if (!faqFrom) return;
    setFaqError("");
    try {
      await toFaq.mutateAsync({ conversation: id, message: faqFrom.message.id, question: faqFrom.question.trim() || undefined });
      setFaqFrom(null);
      toast("info", t("chat.faq.done"));
    } catch (e) {
      setFaqError(explainError(t, e, chatErrors));
    }
  }

  return (
    <Card className="space-y-3" data-testid="conversation" data-conversation={c.id} data-state={c.state}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0 space-y-1">
          <h2 className="text-lg font-semibold">{t("chat.number", { id: number(c.id) })}</h2>
          <div className="flex flex-wrap items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
            <StateBadge state={c.state} />
            <span lang={c.lang}>{t(`content.lang.${c.lang}`)}</span>
            {c.assignee && <span>{t("chat.heldBy")}{" "}<bdi dir="ltr">{c.assignee.email}</bdi></span>}
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          {acts.take && <Button variant="secondary" className="px-2 py-1 text-xs" disabled={take.isPending} onClick={() => void act(() => take.mutateAsync(id), t("chat.taken"))} data-action="take">{c.state === "agent" ? t("chat.takeOver") : t("chat.take")}</Button>}
          {acts.resolve && <Button variant="secondary" className="px-2 py-1 text-xs" onClick={() => setConfirmResolve(true)} data-action="resolve">{t("chat.resolve")}</Button>}
          <Button variant="ghost" className="px-2 py-1 text-xs" onClick={onClose} data-action="close">{t("chat.close")}</Button>
        </div>
      </div>
      {error && <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-2 text-sm text-red-700 dark:border-red-800 dark:bg-red-950/50 dark:text-red-300" data-testid="conversation-alert">{error}</p>}

      <ol ref={log} aria-label={t("chat.transcript")} className="max-h-[55vh] space-y-2 overflow-y-auto rounded-lg bg-slate-50 p-2 dark:bg-slate-900/50" data-testid="transcript" tabIndex={0}>
        {c.messages.map((m) => (
          <li key={m.id} data-message-id={m.id} data-role={m.role} className={`rounded-lg p-2 text-sm ${bubble[m.role] ?? bubble.visitor}`}>
            <div className="mb-1 flex flex-wrap items-center gap-x-2 text-xs text-slate-600 dark:text-slate-300">
              <span className="font-medium text-slate-700 dark:text-slate-200">{t(`chat.role.${m.role}`)}</span>
              {m.author && <bdi dir="ltr">{m.author.email}</bdi>}
              <time dateTime={m.at}>{dateTime(m.at)}</time>
            </div>
            <p dir="auto" className="whitespace-pre-wrap break-words">{m.text}</p>
            {m.sources.length > 0 && (
              <div className="mt-1 text-xs">
                <span className="text-slate-600 dark:text-slate-300">{t("chat.sources")}</span>
                <ul className="ms-4 list-disc">{m.sources.map((s, i) => <li key={i}><SourceLink s={s} /></li>)}</ul>
              </div>
            )}
            {m.role === "agent" && mayManage && (
              <Button variant="ghost" className="mt-1 px-2 py-0.5 text-xs text-indigo-700 dark:text-indigo-300" onClick={() => { setFaqError(""); setFaqFrom({ message: m, question: askedBefore(m) }); }} data-action="to-faq">
                {t("chat.faq.make")}
              </Button>
            )}
          </li>
        ))}
        {c.messages.length === 0 && <li className="p-4 text-center text-sm text-slate-500">{t("chat.noMessages")}</li>}
      </ol>

      {acts.reply && (
        <form className="space-y-2" noValidate onSubmit={(e) => { e.preventDefault(); void send(); }} data-testid="reply-form">
          {cannedHere.length > 0 && (
            <div>
              <label htmlFor={replyId + "-canned"} className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{t("chat.canned.pick")}</label>
              <select id={replyId + "-canned"} value="" data-testid="canned-picker" className={textarea}
                onChange={(e) => { const x = cannedHere.find((y) => String(y.id) === e.target.value); if (x) setText((v) => (v.trim() ? `${v.trimEnd()}\n${x.text}` : x.text)); }}>
                <option value="">{t("chat.canned.choose")}</option>
                {cannedHere.map((x) => <option key={x.id} value={x.id}>{x.title}</option>)}
              </select>
            </div>
          )}
          <label htmlFor={replyId} className="block text-sm font-medium text-slate-700 dark:text-slate-300">{t("chat.reply")}</label>
          <textarea id={replyId} rows={3} maxLength={2000} dir="auto" value={text} className={textarea} data-testid="reply-text"
            aria-invalid={textError ? true : undefined} aria-describedby={textError ? replyId + "-err" : replyId + "-hint"}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void send(); } }} />
          {textError ? <p id={replyId + "-err"} className="text-xs text-red-600 dark:text-red-400">{textError}</p>
            : <p id={replyId + "-hint"} className="text-xs text-slate-500 dark:text-slate-400">{c.state === "agent" && c.assignee?.id === me.data?.id ? t("chat.replyHint") : t("chat.replyTakes")}</p>}
          <div className="flex justify-end">
            <Button type="submit" disabled={reply.isPending} data-testid="reply-send">{t("chat.send")}</Button>
          </div>
        </form>
      )}

      <ConfirmDialog open={confirmResolve} busy={resolve.isPending} title={t("chat.resolveTitle", { id: number(c.id) })} confirmLabel={t("chat.resolve")} cancelLabel={t("chat.cancel")}
        onConfirm={() => { setConfirmResolve(false); void act(() => resolve.mutateAsync(id), t("chat.resolved")); }} onCancel={() => setConfirmResolve(false)}>
        <p>{t("chat.resolveBody")}</p>
      </ConfirmDialog>
      <Modal open={faqFrom !== null} title={t("chat.faq.title")} onClose={() => setFaqFrom(null)} busy={toFaq.isPending} size="lg" testId="to-faq-dialog">
        {faqFrom && (
          <form className="space-y-3" noValidate onSubmit={(e) => { e.preventDefault(); void makeFaq(); }}>
            <div>
              <label htmlFor={replyId + "-q"} className="mb-1 block text-sm font-medium text-slate-700 dark:text-slate-300">{t("faq.f.question")}</label>
              <textarea id={replyId + "-q"} rows={2} maxLength={500} dir="auto" className={textarea} value={faqFrom.question} data-testid="to-faq-question"
                onChange={(e) => setFaqFrom({ ...faqFrom, question: e.target.value })} />
              <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">{t("chat.faq.questionHint")}</p>
            </div>
            <div>
              <p className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">{t("faq.f.answer")}</p>
              <p dir="auto" className="whitespace-pre-wrap rounded-md bg-slate-50 p-2 text-sm dark:bg-slate-900">{faqFrom.message.text}</p>
            </div>
            {faqError && <p role="alert" className="text-sm text-red-600 dark:text-red-400">{faqError}</p>}
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setFaqFrom(null)} disabled={toFaq.isPending}>{t("chat.cancel")}</Button>
              <Button type="submit" disabled={toFaq.isPending} data-testid="to-faq-submit">{t("chat.faq.create")}</Button>
            </div>
          </form>
        )}
      </Modal>
    </Card>
  );
}
