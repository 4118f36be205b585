// The orders feature's public face: what pages and other features may use.
export { OrdersList } from "./components/OrdersList";
export { OrderDetail } from "./components/OrderDetail";
export { CreateOrderForm } from "./components/CreateOrderForm";
export { StatusBadge } from "./components/StatusBadge";
export { statuses, useRecentOrders, type Order, type OrderStatus } from "./api";
