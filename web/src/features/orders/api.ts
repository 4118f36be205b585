import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, unwrap, type Order, type OrderStatus, type Schemas } from "@/lib/api/client";
import { dayStart } from "@/lib/day";
import type { ErrorCatalogue } from "@/lib/errors";
import { runBulk } from "@/lib/bulk";
import type { UrlCodec } from "@/lib/urlState";

export type { Order, OrderStatus };
/** The status badge, for other features' screens (the dashboard) to show statuses the same way. */
export { StatusBadge } from "./components/StatusBadge";
export type OrderHistory = Schemas["HistoryList"]["items"];
export type CreateOrderInput = Schemas["CreateInput"];

/** Every status, in the order of API.md section 4. Which ones an order may move to is the server's to say: the detail's allowed_next. */
const statusNames: Record<OrderStatus, true> = { pending: true, paid: true, processing: true, shipped: true, delivered: true, cancelled: true, refunded: true };
export const statuses = Object.keys(statusNames) as OrderStatus[];

/** The list filters, as kept in the URL. */
export type OrderFilters = {
  page: number;
  pageSize: number;
  status: OrderStatus[];
  q: string;
  createdFrom: string; // yyyy-mm-dd
  createdTo: string; // yyyy-mm-dd, inclusive in the UI
  minTotal: string;
  maxTotal: string;
  sort: "created_at" | "-created_at" | "total" | "-total";
};

export const defaultFilters: OrderFilters = { page: 1, pageSize: 20, status: [], q: "", createdFrom: "", createdTo: "", minTotal: "", maxTotal: "", sort: "-created_at" };

export function filtersFromSearch(sp: URLSearchParams): OrderFilters {
  const int = (v: string | null, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);
  const sort = sp.get("sort");
  return {
    page: Math.max(1, int(sp.get("page"), 1)),
    pageSize: [10, 20, 50, 100].includes(int(sp.get("page_size"), 20)) ? int(sp.get("page_size"), 20) : 20,
    status: sp.getAll("status").filter((s): s is OrderStatus => statuses.includes(s as OrderStatus)),
    q: sp.get("q") ?? "",
    createdFrom: sp.get("created_from") ?? "",
    createdTo: sp.get("created_to") ?? "",
    minTotal: sp.get("min_total") ?? "",
    maxTotal: sp.get("max_total") ?? "",
    sort: sort === "created_at" || sort === "total" || sort === "-total" ? sort : "-created_at",
  };
}

export function filtersToSearch(f: OrderFilters): string {
  const sp = new URLSearchParams();
  if (f.page !== 1) sp.set("page", String(f.page));
  if (f.pageSize !== 20) sp.set("page_size", String(f.pageSize));
  for (const s of f.status) sp.append("status", s);
  if (f.q) sp.set("q", f.q);
  if (f.createdFrom) sp.set("created_from", f.createdFrom);
  if (f.createdTo) sp.set("created_to", f.createdTo);
  if (f.minTotal) sp.set("min_total", f.minTotal);
  if (f.maxTotal) sp.set("max_total", f.maxTotal);
  if (f.sort !== "-created_at") sp.set("sort", f.sort);
  return sp.toString();
}

/** The list's state in the URL (useUrlState). */
export const orderFiltersCodec: UrlCodec<OrderFilters> = { parse: filtersFromSearch, serialize: filtersToSearch };

/** The columns GET /api/orders sorts by (API.md section 4). */
export const sortableOrderColumns = ["created_at", "total"] as const;

export const orderKeys = {
  all: ["orders"] as const,
  list: (f: OrderFilters) => ["orders", "list", f] as const,
  recent: (limit: number) => ["orders", "recent", limit] as const,
  detail: (id: number) => ["orders", "detail", id] as const,
  history: (id: number) => ["orders", "history", id] as const,
};

export const ordersListQuery = (f: OrderFilters) =>
  queryOptions({
    queryKey: orderKeys.list(f),
    queryFn: async ({ signal }) => {
      const num = (v: string) => (/^\d+$/.test(v) ? Number(v) : undefined);
      const { data } = await unwrap(
        api.GET("/api/orders", {
          signal,
          params: {
            query: {
              page: f.page,
              page_size: f.pageSize,
              status: f.status.length ? f.status : undefined,
              q: f.q || undefined,
              created_from: dayStart(f.createdFrom),
              created_to: dayStart(f.createdTo, 1),
              min_total: num(f.minTotal),
              max_total: num(f.maxTotal),
              sort: f.sort,
            },
          },
          querySerializer: { array: { style: "form", explode: true } },
        }),
      );
      return data;
    },
  });

export const useOrders = (f: OrderFilters) => useQuery(ordersListQuery(f));

/** The newest orders (cursor mode, first page only), for the dashboard. */
export const recentOrdersQuery = (limit: number) =>
  queryOptions({
    queryKey: orderKeys.recent(limit),
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/orders", { signal, params: { query: { limit } } }))).data.items,
  });

export const useRecentOrders = (limit: number, enabled = true) => useQuery({ ...recentOrdersQuery(limit), enabled });

export const orderQuery = (id: number) =>
  queryOptions({
    queryKey: orderKeys.detail(id),
    queryFn: async ({ signal }) => {
      const { data, response } = await unwrap(api.GET("/api/orders/{id}", { signal, params: { path: { id } } }));
      return { order: data, etag: response.headers.get("ETag") ?? "" };
    },
  });

export const useOrder = (id: number) => useQuery({ ...orderQuery(id), enabled: id > 0 });

export const useOrderHistory = (id: number) =>
  useQuery({
    queryKey: orderKeys.history(id),
    enabled: id > 0,
    queryFn: async ({ signal }) => (await unwrap(api.GET("/api/orders/{id}/history", { signal, params: { path: { id } } }))).data.items,
  });

/** Changes the status, sending If-Match with the ETag the user saw. */
export function useChangeStatus(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { status: OrderStatus; note?: string; etag: string }) =>
      (
        await unwrap(
          api.PUT("/api/orders/{id}/status", {
            params: { path: { id }, header: v.etag ? { "If-Match": v.etag } : {} },
            body: { status: v.status, note: v.note || undefined },
          }),
        )
      ).data,
    onSettled: () => qc.invalidateQueries({ queryKey: orderKeys.all }),
  });
}

export function useCreateOrder() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { body: CreateOrderInput; idempotencyKey: string }) =>
      (await unwrap(api.POST("/api/orders", { params: { header: { "Idempotency-Key": v.idempotencyKey } }, body: v.body }))).data,
    onSuccess: () => qc.invalidateQueries({ queryKey: orderKeys.all }),
  });
}

/** Why one order of a bulk status change was refused. */
export const orderChangeErrors: ErrorCatalogue = {
  codes: {
    INVALID_TRANSITION: (t, e) => t("orders.bulk.notAllowed", { from: t(`status.${e.details.from as OrderStatus}`), to: t(`status.${e.details.to as OrderStatus}`) }),
    PRECONDITION_FAILED: "orders.bulk.stale",
    NOT_FOUND: "orders.bulk.gone",
  },
};

/**
 * Moves one order to status as the API requires: read it for its ETag and
 * allowed_next, refuse a move it does not allow (as the server would, 409
 * INVALID_TRANSITION), else PUT with If-Match, so a change made meanwhile is
 * a 412, never overwritten.
 */
export async function changeOrderStatus(id: number, status: OrderStatus): Promise<Order> {
  const { data: order, response } = await unwrap(api.GET("/api/orders/{id}", { params: { path: { id } } }));
  const allowed = order.allowed_next ?? [];
  if (!allowed.includes(status)) {
    throw new ApiError(409, "INVALID_TRANSITION", "transition not allowed", {}, { from: order.status, to: status, allowed });
  }
  const etag = response.headers.get("ETag") ?? "";
  return (await unwrap(api.PUT("/api/orders/{id}/status", { params: { path: { id }, header: etag ? { "If-Match": etag } : {} }, body: { status } }))).data;
}

/** Changes the status of each order in turn; a refused one is reported and the rest still change. */
export function useBulkChangeStatus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { orders: Order[]; status: OrderStatus }) => runBulk(v.orders, (o) => changeOrderStatus(o.id, v.status)),
    onSettled: () => qc.invalidateQueries({ queryKey: orderKeys.all }),
  });
}
