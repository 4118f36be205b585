"use client";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { can, useMe } from "@/lib/me";
import { ApiError } from "@/lib/api/client";
import { explainError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card, Skeleton } from "@/components/ui/Card";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { orderChangeErrors, useChangeStatus, useOrder, useOrderHistory, type OrderStatus } from "../api";
import { StatusBadge } from "./StatusBadge";

/** One order: customer, items, totals, history and the allowed status changes. */
export function OrderDetail({ id }: { id: number }) {
  const { t, money, dateTime, number } = useI18n();
  const me = useMe();
  const order = useOrder(id);
  const history = useOrderHistory(id);
  const change = useChangeStatus(id);
  const toast = useToast();
  const [note, setNote] = useState("");
  const [stale, setStale] = useState(false);
  // the change that asks first (cancel, refund) while its dialog is open
  const [asking, setAsking] = useState<"cancelled" | "refunded" | null>(null);
  // after a change the clicked button may be gone: focus moves to the status card's heading
  const statusHeading = useRef<HTMLHeadingElement>(null);
  const [moved, setMoved] = useState(0);
  useEffect(() => {
    if (moved) statusHeading.current?.focus();
  }, [moved]);

  if (order.isPending) return <div className="space-y-4" aria-busy><Skeleton className="h-8 w-64" /><Skeleton className="h-40 w-full" /><Skeleton className="h-56 w-full" /></div>;
  if (order.isError) {
    const e = order.error instanceof ApiError ? order.error : null;
    return (
      <Card role="alert" className="text-center">
        <p className="mb-3">{e?.status === 404 ? t("order.notFound") : e?.status === 403 ? t("error.forbidden") : t("orders.error")}</p>
        <Link prefetch={false} href="/orders" className="text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("order.back")}</Link>
      </Card>
    );
  }
  const o = order.data.order;
  // the server says where this order may go (its state machine, written once)
  const allowed = o.allowed_next ?? [];

  async function move(status: OrderStatus) {
    setStale(false);
    try {
      await change.mutateAsync({ status, note, etag: order.data!.etag });
      setNote("");
      toast("info", t("order.changed", { status: t(`status.${status}`) }));
    } catch (e) {
      if (e instanceof ApiError && e.code === "PRECONDITION_FAILED") setStale(true);
      else if (e instanceof ApiError) toast("error", explainError(t, e, orderChangeErrors));
    } finally {
      setAsking(null);
      setMoved((n) => n + 1);
    }
  }
  // cancel and refund cannot be undone: they ask first, naming the order and what follows
  const asks = (s: OrderStatus): s is "cancelled" | "refunded" => s === "cancelled" || s === "refunded";
  const isolated = `\u2068${o.number}\u2069`;

  return (
    <div className="space-y-4">
      <Link prefetch={false} href="/orders" className="text-sm text-indigo-600 underline underline-offset-2 hover:decoration-2 dark:text-indigo-400">{t("order.back")}</Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-bold">{t("order.title", { number: "" })}<span dir="ltr">{o.number}</span></h1>
        <span data-testid="order-status"><StatusBadge status={o.status} /></span>
      </div>
      {stale && <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">{t("order.stale")}</p>}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <h2 className="mb-3 font-semibold">{t("orders.items")}</h2>
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <thead className="text-xs text-slate-500 dark:text-slate-400">
                <tr>
                  <th className="py-2 pe-3 text-start font-medium">{t("order.sku")}</th>
                  <th className="py-2 pe-3 text-start font-medium">{t("order.name")}</th>
                  <th className="py-2 ps-3 text-end font-medium">{t("order.quantity")}</th>
                  <th className="py-2 ps-3 text-end font-medium">{t("order.unitPrice")}</th>
                  <th className="py-2 ps-3 text-end font-medium">{t("order.lineTotal")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-700">
                {(o.items ?? []).map((it) => (
                  <tr key={it.id}>
                    <td className="py-2 pe-3 whitespace-nowrap"><span dir="ltr">{it.sku}</span></td>
                    <td className="min-w-32 py-2 pe-3 break-words">{it.name}</td>
                    <td className="py-2 ps-3 text-end tabular-nums">{number(it.quantity)}</td>
                    <td className="py-2 ps-3 text-end tabular-nums whitespace-nowrap">{money(it.unit_price, o.currency)}</td>
                    <td className="py-2 ps-3 text-end tabular-nums whitespace-nowrap">{money(it.total, o.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <dl className="mt-4 ms-auto max-w-xs space-y-1 text-sm">
            <div className="flex justify-between"><dt>{t("order.subtotal")}</dt><dd className="tabular-nums">{money(o.subtotal, o.currency)}</dd></div>
            <div className="flex justify-between"><dt>{t("order.shipping")}</dt><dd className="tabular-nums">{money(o.shipping, o.currency)}</dd></div>
            <div className="flex justify-between border-t border-slate-200 pt-1 font-semibold dark:border-slate-700"><dt>{t("order.total")}</dt><dd className="tabular-nums" data-testid="order-total">{money(o.total, o.currency)}</dd></div>
          </dl>
          {o.note && <p className="mt-4 text-sm"><span className="font-medium">{t("order.note")}: </span>{o.note}</p>}
        </Card>
        <div className="space-y-4">
          <Card>
            <h2 className="mb-3 font-semibold">{t("order.customer")}</h2>
            <p>{o.customer.name}</p>
            <p className="text-sm text-slate-600 dark:text-slate-300"><span className="sr-only">{t("order.email")}: </span><span dir="ltr">{o.customer.email}</span></p>
            {o.customer.phone && <p className="text-sm text-slate-600 dark:text-slate-300"><span className="sr-only">{t("order.phone")}: </span><span dir="ltr">{o.customer.phone}</span></p>}
            <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">{dateTime(o.created_at)}</p>
          </Card>
          {can(me.data, "orders.update_status") && (
            <Card>
              <h2 ref={statusHeading} tabIndex={-1} className="mb-3 font-semibold focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500" data-testid="status-heading">{t("order.changeStatus")}</h2>
              {allowed.length === 0 ? (
                <p className="text-sm text-slate-500 dark:text-slate-400">{t("order.noTransitions")}</p>
              ) : (
                <div className="space-y-3">
                  <label className="block text-sm">
                    <span className="mb-1 block text-slate-700 dark:text-slate-300">{t("order.statusNote")}</span>
                    <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 dark:border-slate-600 dark:bg-slate-900" />
                  </label>
                  <div className="flex flex-wrap gap-2">
                    {allowed.map((s) => (
                      <Button key={s} variant={s === "cancelled" || s === "refunded" ? "danger" : "primary"} disabled={change.isPending} onClick={() => (asks(s) ? setAsking(s) : move(s))} data-transition={s}>
                        {t("order.moveTo", { status: t(`status.${s}`) })}
                      </Button>
                    ))}
                  </div>
                </div>
              )}
            </Card>
          )}
          <Card>
            <h2 className="mb-3 font-semibold">{t("order.history")}</h2>
            {history.isPending ? <Skeleton className="h-24 w-full" /> : (
              <ol className="relative space-y-4 border-s border-slate-200 ps-4 dark:border-slate-700" data-testid="history">
                {(history.data ?? []).map((h) => (
                  <li key={h.id} className="relative">
                    <span className="absolute -start-[1.4rem] top-1 size-2.5 rounded-full bg-indigo-500" aria-hidden />
                    <div className="flex flex-wrap items-center gap-2 text-sm">
                      {h.from ? <><StatusBadge status={h.from} /><span aria-hidden className="inline-block rtl:rotate-180">{"→"}</span></> : <span>{t("order.created")}</span>}
                      <StatusBadge status={h.to} />
                    </div>
                    <div className="mt-1 text-xs text-slate-500 dark:text-slate-400">
                      {dateTime(h.at)}{h.actor && <> · <span dir="ltr">{t("order.by", { email: h.actor.email })}</span></>}
                    </div>
                    {h.note && <p className="mt-1 text-sm">{h.note}</p>}
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </div>
      </div>
      <ConfirmDialog open={asking !== null} title={t(`order.ask.${asking ?? "cancelled"}.title`, { number: isolated })} danger busy={change.isPending}
        confirmLabel={t(`order.ask.${asking ?? "cancelled"}.confirm`)} cancelLabel={t("order.ask.keep")}
        onConfirm={() => asking && move(asking)} onCancel={() => setAsking(null)}>
        <p>{t(`order.ask.${asking ?? "cancelled"}.body`, { amount: money(o.total, o.currency) })}</p>
      </ConfirmDialog>
    </div>
  );
}