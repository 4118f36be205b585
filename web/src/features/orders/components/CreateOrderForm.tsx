"use client";
import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useFieldArray, useForm, type FieldPath } from "react-hook-form";
import { z } from "@/lib/zod";
import { ApiError } from "@/lib/api/client";
import { explainError } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { Field, Select } from "@/components/ui/Field";
import { useCreateOrder } from "../api";

const currencies = ["IRR", "USD", "EUR", "AED", "TRY", "GBP"] as const;

/** The client-side rules mirror the server's; the server stays the authority. */
export const createOrderSchema = z.object({
  customer: z.object({
    name: z.string().trim().min(1, "form.required").max(200),
    email: z.string().trim().min(1, "form.required").email("form.email"),
    phone: z.string().trim().max(32).optional(),
  }),
  items: z
    .array(
      z.object({
        sku: z.string().trim().min(1, "form.required").max(64),
        name: z.string().trim().min(1, "form.required").max(200),
        quantity: z.number({ message: "form.min1" }).int().min(1, "form.min1"),
        unit_price: z.number({ message: "form.nonNegative" }).int().min(0, "form.nonNegative"),
      }),
    )
    .min(1, "form.required"),
  shipping: z.number({ message: "form.nonNegative" }).int().min(0, "form.nonNegative"),
  currency: z.enum(currencies),
  note: z.string().max(2000).optional(),
});
export type CreateOrderValues = z.infer<typeof createOrderSchema>;

function newKey() {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : Math.random().toString(36).slice(2);
}

/** "items[0].quantity" (server) → "items.0.quantity" (form). */
export function serverFieldToPath(field: string): string {
  return field.replace(/\[(\d+)\]/g, ".$1");
}

export function CreateOrderForm() {
  const { t } = useI18n();
  const router = useRouter();
  const toast = useToast();
  const create = useCreateOrder();
  // one key per attempt: a resubmit after a network failure can never create two orders
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);
  const form = useForm<CreateOrderValues>({
    resolver: zodResolver(createOrderSchema),
    defaultValues: { customer: { name: "", email: "", phone: "" }, items: [{ sku: "", name: "", quantity: 1, unit_price: 0 }], shipping: 0, currency: "IRR", note: "" },
  });
  const items = useFieldArray({ control: form.control, name: "items" });
  const { errors } = form.formState;
  const msg = (m?: string) => (m ? (m.startsWith("form.") ? t(m as "form.required") : m) : undefined);

  const submit = form.handleSubmit(async (v) => {
    try {
      const order = await create.mutateAsync({
        idempotencyKey,
        body: { customer: { name: v.customer.name, email: v.customer.email, phone: v.customer.phone || undefined }, items: v.items, shipping: v.shipping, currency: v.currency, note: v.note || undefined },
      });
      toast("info", t("create.created", { number: order.number }));
      router.push(`/orders/detail?id=${order.id}`);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      // the server refused this body; a corrected one is a new request
      if (e.code !== "NETWORK") setIdempotencyKey(newKey());
      const entries = Object.entries(e.fields);
      if (entries.length > 0) {
        for (const [field, reason] of entries) form.setError(serverFieldToPath(field) as FieldPath<CreateOrderValues>, { message: reason });
        toast("error", t("create.fixErrors"));
      } else {
        toast("error", explainError(t, e));
      }
    }
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <h1 className="text-2xl font-bold">{t("create.title")}</h1>
      <Card className="grid gap-3 sm:grid-cols-3">
        <h2 className="font-semibold sm:col-span-3">{t("create.customer")}</h2>
        <Field label={t("create.customerName")} {...form.register("customer.name")} error={msg(errors.customer?.name?.message)} />
        <Field label={t("create.customerEmail")} type="email" dir="ltr" {...form.register("customer.email")} error={msg(errors.customer?.email?.message)} />
        <Field label={t("create.customerPhone")} type="tel" dir="ltr" {...form.register("customer.phone")} error={msg(errors.customer?.phone?.message)} />
      </Card>
      <Card className="space-y-3">
        <h2 className="font-semibold">{t("create.items")}</h2>
        {items.fields.map((f, i) => (
          <fieldset key={f.id} className="grid items-start gap-3 sm:grid-cols-[1fr_2fr_0.7fr_1fr_auto]">
            <legend className="sr-only">{t("create.items")} {i + 1}</legend>
            <Field label={t("order.sku")} dir="ltr" {...form.register(`items.${i}.sku`)} error={msg(errors.items?.[i]?.sku?.message)} />
            <Field label={t("order.name")} {...form.register(`items.${i}.name`)} error={msg(errors.items?.[i]?.name?.message)} />
            <Field label={t("order.quantity")} type="number" min={1} dir="ltr" {...form.register(`items.${i}.quantity`, { valueAsNumber: true })} error={msg(errors.items?.[i]?.quantity?.message)} />
            <Field label={t("order.unitPrice")} type="number" min={0} dir="ltr" hint={t("create.unitPriceHint")} {...form.register(`items.${i}.unit_price`, { valueAsNumber: true })} error={msg(errors.items?.[i]?.unit_price?.message)} />
            <Button type="button" variant="ghost" className="sm:mt-6" onClick={() => items.remove(i)} disabled={items.fields.length === 1}>{t("create.removeItem")}</Button>
          </fieldset>
        ))}
        {errors.items?.message && <p className="text-xs text-red-600">{msg(errors.items.message)}</p>}
        <Button type="button" variant="secondary" onClick={() => items.append({ sku: "", name: "", quantity: 1, unit_price: 0 })}>{t("create.addItem")}</Button>
      </Card>
      <Card className="grid gap-3 sm:grid-cols-3">
        <Select label={t("create.currency")} {...form.register("currency")} error={msg(errors.currency?.message)}>
          {currencies.map((c) => <option key={c} value={c}>{c}</option>)}
        </Select>
        <Field label={t("create.shipping")} type="number" min={0} dir="ltr" {...form.register("shipping", { valueAsNumber: true })} error={msg(errors.shipping?.message)} />
        <Field label={t("create.note")} {...form.register("note")} error={msg(errors.note?.message)} />
      </Card>
      <Button type="submit" disabled={create.isPending}>{t("create.submit")}</Button>
    </form>
  );
}
