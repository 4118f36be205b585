"use client";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { useI18n } from "./i18n";

type Toast = { id: number; kind: "info" | "error"; text: string };
const Ctx = createContext<(kind: Toast["kind"], text: string) => void>(() => {});

/**
 * Short messages in a live region; errors stay longer. Each can be closed by
 * its button, and Escape closes them all (unless a dialog is open: Escape is
 * the dialog's then).
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((x) => x.id !== id)), []);
  const push = useCallback((kind: Toast["kind"], text: string) => {
    const id = Date.now() + Math.random();
    setToasts((ts) => [...ts, { id, kind, text }]);
    setTimeout(() => dismiss(id), kind === "error" ? 8000 : 4000);
  }, [dismiss]);
  const any = toasts.length > 0;
  useEffect(() => {
    if (!any) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented || document.querySelector("dialog[open]")) return;
      setToasts([]);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [any]);
  return (
    <Ctx.Provider value={push}>
      {children}
      <div aria-live="polite" className="fixed bottom-4 end-4 z-50 flex flex-col gap-2">
        {toasts.map((x) => (
          <div key={x.id} data-testid="toast"
            className={`flex max-w-sm items-start gap-2 rounded-lg py-3 ps-4 pe-2 text-sm shadow-lg ${x.kind === "error" ? "bg-red-700 text-white" : "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900"}`}>
            <span role={x.kind === "error" ? "alert" : "status"} className="min-w-0 flex-1">{x.text}</span>
            <button type="button" onClick={() => dismiss(x.id)} aria-label={t("toast.close")} title={t("toast.close")}
              className="-my-1 shrink-0 rounded px-1.5 text-base leading-6 opacity-80 hover:opacity-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-current">
              <span aria-hidden>{"×"}</span>
            </button>
          </div>
        ))}
      </div>
    </Ctx.Provider>
  );
}

export const useToast = () => useContext(Ctx);
