"use client";
import { useI18n } from "@/lib/i18n";
import { thumbnailOf, type Media } from "../api";

/** The file's extension, upper-cased, for the placeholder of files without a picture. */
export const extensionOf = (name: string) => {
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(name);
  return m ? m[1].toUpperCase() : "";
};

/** Simple outline icons per kind (decorative: the extension or kind is said in text). */
function KindIcon({ kind }: { kind: string }) {
  const common = { viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", strokeWidth: 1.5, strokeLinecap: "round" as const, strokeLinejoin: "round" as const, "aria-hidden": true, className: "size-8" };
  if (kind === "image") return <svg {...common}><rect x="3" y="4" width="18" height="16" rx="2" /><circle cx="9" cy="10" r="2" /><path d="m21 16-5-5-9 9" /></svg>;
  if (kind === "video") return <svg {...common}><rect x="3" y="5" width="13" height="14" rx="2" /><path d="m16 10 5-3v10l-5-3" /></svg>;
  if (kind === "audio") return <svg {...common}><path d="M9 18V6l11-2v12" /><circle cx="6" cy="18" r="3" /><circle cx="17" cy="16" r="3" /></svg>;
  return <svg {...common}><path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" /><path d="M14 3v5h5" /></svg>;
}

/**
 * An item's picture: the thumbnail of the given side when there is one,
 * else a placeholder naming the kind and the extension.
 */
export function Thumb({ m, side = "256", className = "" }: { m: Media; side?: "256" | "1024"; className?: string }) {
  const { t } = useI18n();
  const src = m.status === "ready" ? thumbnailOf(m, side) : null;
  const alt = m.alt.fa || m.alt.en ? (m.alt.fa || m.alt.en) : m.filename;
  if (src) {
    // signed storage URLs: nothing for next/image to optimise in a static export
    // eslint-disable-next-line @next/next/no-img-element
    return <img src={src} alt={alt} loading="lazy" data-thumb={side} className={`h-full w-full object-cover ${className}`} />;
  }
  return (
    <div className={`flex h-full w-full flex-col items-center justify-center gap-1 text-slate-600 dark:text-slate-400 ${className}`} data-thumb="none">
      <KindIcon kind={m.kind} />
      <span className="text-xs font-semibold tracking-wide" dir="ltr">{extensionOf(m.filename) || t(`media.kind.${(["image", "video", "audio"].includes(m.kind) ? m.kind : "document") as "image"}`)}</span>
    </div>
  );
}
