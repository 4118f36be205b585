// Lighthouse scores of every screen, logged in, for docs/benchmarks.md.
// Lighthouse 12.2.3 (its default mobile profile: a mid-range phone on slow 4G,
// simulated) runs in Debian's Chromium; the session cookie of a login made
// here is sent with every request (--extra-headers). Persian, light theme
// (the defaults). Prints a Markdown table.
// Usage: LIGHTHOUSE=path/to/lighthouse/cli node e2e/lighthouse.mjs BASE_URL EMAIL PASSWORD
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { context, launch, login } from "./browser.mjs";

const [base, email, password] = process.argv.slice(2);
const cli = process.env.LIGHTHOUSE;
if (!base || !password || !cli) {
  console.error("usage: LIGHTHOUSE=path/to/lighthouse node e2e/lighthouse.mjs BASE_URL EMAIL PASSWORD");
  process.exit(2);
}

// a session, and the ids of a few things to open
const browser = await launch();
let cookie, ids;
try {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, base, email, password);
  ids = await page.evaluate(async () => {
    const first = async (u) => (await (await fetch(u)).json()).items?.[0]?.id;
    return { order: await first("/api/orders?page_size=1"), user: await first("/api/users?page_size=1"), job: await first("/api/jobs?page_size=1") };
  });
  cookie = (await ctx.cookies(base)).map((c) => `${c.name}=${c.value}`).join("; ");
  await ctx.close();
} finally {
  await browser.close();
}

const screens = [
  ["/login", false],
  ["/", true],
  ["/orders", true],
  [`/orders/detail?id=${ids.order}`, true],
  ["/orders/new", true],
  ["/users", true],
  [`/users/detail?id=${ids.user}`, true],
  ["/roles", true],
  ["/audit", true],
  ["/media", true],
  ["/jobs", true],
  ...(ids.job ? [[`/jobs/detail?id=${ids.job}`, true]] : []),
  ["/account", true],
  ["/account/two-factor", true],
];

const dir = mkdtempSync(join(tmpdir(), "pishkhan-lighthouse-"));
const score = (c) => Math.round(c.score * 100);
const rows = [];
let missed = 0;
for (const [path, signedIn] of screens) {
  const out = join(dir, "report.json");
  const args = [base + path, "--output=json", `--output-path=${out}`, "--quiet",
    "--only-categories=performance,accessibility,best-practices",
    "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync"];
  if (signedIn) args.push(`--extra-headers=${JSON.stringify({ Cookie: cookie })}`);
  execFileSync(cli, args, { env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_PATH || "/usr/bin/chromium" }, stdio: ["ignore", "ignore", "inherit"] });
  const r = JSON.parse(readFileSync(out, "utf8"));
  const c = r.categories, a = r.audits;
  const perf = score(c.performance), acc = score(c.accessibility), bp = score(c["best-practices"]);
  const cls = a["cumulative-layout-shift"].numericValue, tbt = a["total-blocking-time"].numericValue;
  const ok = perf >= 95 && acc >= 98 && bp >= 98 && cls < 0.05 && tbt < 150;
  if (!ok) missed++;
  // a signed-in screen that ended on the login page was not measured
  const landed = new URL(r.finalDisplayedUrl ?? r.finalUrl).pathname;
  const note = signedIn && landed === "/login" ? "NOT SIGNED IN" : ok ? "met" : "MISSED";
  rows.push(`| \`${path.replace(/\?id=\d+/, "?id=…")}\` | ${perf} | ${acc} | ${bp} | ${cls.toFixed(3)} | ${Math.round(tbt)} ms | ${(a["largest-contentful-paint"].numericValue / 1000).toFixed(1)} s | ${note} |`);
  console.error(rows[rows.length - 1]);
}
console.log("| Screen | Performance | Accessibility | Best practices | CLS | TBT | LCP | Targets |");
console.log("|---|---:|---:|---:|---:|---:|---:|---|");
for (const r of rows) console.log(r);
process.exitCode = 0;
console.error(missed ? `lighthouse: ${missed} of ${rows.length} screens missed a target` : `lighthouse: all ${rows.length} screens met the targets`);
