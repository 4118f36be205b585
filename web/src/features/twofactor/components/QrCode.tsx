"use client";
import qrcode from "qrcode-generator";
import { useMemo } from "react";

/**
 * A QR code drawn in the browser as an SVG (no network, no CDN): one path of
 * dark modules on a white square with the standard four-module quiet zone,
 * dark on white in both themes so every scanner reads it.
 */
export function QrCode({ value, label, size = 208 }: { value: string; label: string; size?: number }) {
  const { n, d } = useMemo(() => {
    const qr = qrcode(0, "M");
    qr.addData(value, "Byte");
    qr.make();
    const count = qr.getModuleCount();
    let path = "";
    for (let r = 0; r < count; r++) for (let c = 0; c < count; c++) if (qr.isDark(r, c)) path += `M${c + 4} ${r + 4}h1v1h-1z`;
    return { n: count + 8, d: path };
  }, [value]);
  return (
    <svg role="img" aria-label={label} data-qr={value} width={size} height={size} viewBox={`0 0 ${n} ${n}`} shapeRendering="crispEdges" className="rounded-md">
      <rect width={n} height={n} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
