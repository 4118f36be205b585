/** Persian (۰–۹) and Arabic-Indic (٠–٩) digits → ASCII, so codes typed on a Persian keyboard work. */
export function toAsciiDigits(s: string): string {
  return s.replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0)).replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660));
}
