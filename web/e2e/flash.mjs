// "No Persian flash for English users": with English saved, no frame of the
// page ever paints Persian text, from the first script on. Used by run.mjs;
// standalone against a running server: node e2e/flash.mjs URL EMAIL PASSWORD [--unhide]
// (--unhide strips the stylesheet's pre-paint hiding, to see the check catch a flash).
import { readFileSync } from "node:fs";
import { context, launch, login } from "./browser.mjs";

// The Persian UI's own words: every fragment (between placeholders) of five
// letters or more of the fa dictionary. Data may be Persian (seeded names),
// the interface may not.
const faUI = [...readFileSync(new URL("../src/lib/messages.ts", import.meta.url), "utf8").matchAll(/^\s+(?:"[^"]+"|\w+): "(.*)",$/gm)]
  .flatMap((m) => m[1].split(/\{[^}]+\}/))
  .map((f) => f.trim())
  .filter((f) => f.length >= 5 && /[\u0600-\u06FF]/.test(f));
const persianUI = (text) => faUI.find((f) => text.includes(f));

/**
 * Visits each path in a fresh English context (signed in first when email is
 * given) and returns, per path, the Persian UI strings painted (one per frame
 * that showed any).
 * A frame's text is body.innerText (what is painted: hidden text is left
 * out) less elements marked lang="fa" (the English UI's "فارسی" switch).
 */
export async function persianFrames(browser, base, paths, { email, password, unhide = false } = {}) {
  const ctx = await context(browser, { locale: "en" });
  if (unhide) {
    await ctx.route("**/*.css", async (route) => {
      const res = await route.fetch();
      const css = (await res.text()).replace(/html\[data-pending-locale\]\s*body\s*\{[^}]*\}/g, "");
      await route.fulfill({ response: res, body: css });
    });
  }
  if (email) await login(await ctx.newPage(), base, email, password);
  await ctx.addInitScript(() => {
    window.__frames = [];
    const tick = () => {
      const b = document.body;
      let text = b ? b.innerText : "";
      if (b) for (const el of b.querySelectorAll('[lang="fa"]')) text = text.replace(el.innerText, "");
      window.__frames.push(text);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const out = {};
  for (const path of paths) {
    const page = await ctx.newPage();
    await page.goto(base + path);
    // settled: English on screen, then a few more frames
    await page.waitForFunction(() => document.documentElement.lang === "en" && !document.documentElement.hasAttribute("data-pending-locale") && /[A-Za-z]{4}/.test(document.body.innerText));
    await page.waitForTimeout(300);
    const frames = await page.evaluate(() => window.__frames);
    out[path] = { frames: frames.length, persian: frames.map(persianUI).filter(Boolean), last: frames.at(-1) };
    await page.close();
  }
  await ctx.close();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [base, email, password] = process.argv.slice(2);
  const browser = await launch();
  try {
    const anon = await persianFrames(browser, base, ["/login"], { unhide: process.argv.includes("--unhide") });
    const signed = await persianFrames(browser, base, ["/orders", "/"], { email, password, unhide: process.argv.includes("--unhide") });
    for (const [p, r] of Object.entries({ ...anon, ...signed })) console.log(p, r.frames, "frames,", r.persian.length, "with Persian UI text", [...new Set(r.persian)].slice(0, 3).join(" | "));
  } finally {
    await browser.close();
  }
}
