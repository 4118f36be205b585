// The audit feature's public face: what pages may use.
export { AuditLogList } from "./components/AuditLogList";
