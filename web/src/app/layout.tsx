import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";
import { Providers } from "./providers";

// No title here: a metadata title is re-applied by Next.js after the page's
// own (useDocumentTitle), so the pre-paint script names the tab until then.
export const metadata: Metadata = {};

// Applies the saved language and theme before the first paint. The server
// allows this inline script by its hash, computed from the exported file.
// The export is Persian: for English the page stays hidden (data-pending-locale,
// globals.css) until I18nProvider has rendered it in English, or at most 4 s.
const prePaint = `try{var h=document.documentElement,l=localStorage.getItem("pishkhan.locale")==="en"?"en":"fa";h.lang=l;h.dir=l==="fa"?"rtl":"ltr";document.title=l==="en"?"Pishkhan":"پیشخوان";if(l==="en"){h.setAttribute("data-pending-locale","en");setTimeout(function(){h.removeAttribute("data-pending-locale")},4000)}var t=localStorage.getItem("pishkhan.theme");if(t==="dark"||(t===null&&matchMedia("(prefers-color-scheme: dark)").matches))document.documentElement.classList.add("dark")}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="fa" dir="rtl" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: prePaint }} />
      </head>
      <body className="antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
