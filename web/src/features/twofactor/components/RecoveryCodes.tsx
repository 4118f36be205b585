"use client";
import { useEffect, useId, useRef, useState } from "react";
import { useI18n } from "@/lib/i18n";
import { useToast } from "@/lib/toast";
import { Button } from "@/components/ui/Button";
import { Card } from "@/components/ui/Card";
import { copyText } from "@/lib/clipboard";

export { copyText };

/** Saves text as a file the browser downloads (a blob URL: nothing leaves the page). */
export function downloadText(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Recovery codes, shown once: copy, download as .txt, and a confirmation
 * that they were saved before the panel can be closed. The codes live only
 * in the parent's state; closing the panel forgets them.
 */
export function RecoveryCodesPanel({ codes, email, onDone }: { codes: string[]; email: string; onDone: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const [saved, setSaved] = useState(false);
  const check = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const text = [t("tfa.fileHeader", { email }), "", ...codes, ""].join("\n");
  return (
    <Card className="space-y-4 border-amber-300 dark:border-amber-700" data-testid="recovery-codes">
      <h2 ref={heading} tabIndex={-1} className="text-lg font-semibold focus:outline-none">{t("tfa.codesTitle")}</h2>
      <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">{t("tfa.codesIntro")}</p>
      <ol dir="ltr" className="grid grid-cols-2 gap-x-6 gap-y-2 rounded-md bg-slate-50 p-4 font-mono text-sm sm:grid-cols-2 dark:bg-slate-900" aria-label={t("tfa.codesTitle")}>
        {codes.map((c) => <li key={c} data-code className="select-all tracking-wider">{c}</li>)}
      </ol>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={async () => toast("info", t((await copyText(codes.join("\n"))) ? "tfa.copied" : "tfa.copyFailed"))}>{t("tfa.copyAll")}</Button>
        <Button variant="secondary" onClick={() => downloadText("pishkhan-recovery-codes.txt", text)}>{t("tfa.download")}</Button>
      </div>
      <div className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 pt-4 dark:border-slate-700">
        <label htmlFor={check} className="flex items-center gap-2 text-sm">
          <input id={check} type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} className="size-4 accent-indigo-600" />
          {t("tfa.savedCheck")}
        </label>
        <Button disabled={!saved} onClick={onDone}>{t("tfa.saved")}</Button>
      </div>
    </Card>
  );
}
