// Web figures for docs/benchmarks.md: first-load JavaScript of the orders
// page (bytes on the wire, gzip) and the time from navigation to a
// rendered orders table, on loopback. Prints a Markdown fragment.
// Usage: node e2e/webperf.mjs BASE_URL EMAIL PASSWORD [RUNS]
import { context, launch, login } from "./browser.mjs";

const [base, email, password, runsArg = "15"] = process.argv.slice(2);
const runs = Number(runsArg);
const browser = await launch();
try {
  const ctx = await context(browser, { locale: "fa" });
  const page = await ctx.newPage();
  await login(page, base, email, password);
  const state = await ctx.storageState();
  await ctx.close();

  // first load: a fresh context (empty HTTP cache) opening /orders
  const fresh = await browser.newContext({ storageState: state });
  const p = await fresh.newPage();
  const cdp = await fresh.newCDPSession(p);
  await cdp.send("Network.enable");
  const wire = new Map();
  cdp.on("Network.responseReceived", (e) => wire.set(e.requestId, { url: e.response.url, type: e.type, enc: e.response.headers["content-encoding"] || e.response.headers["Content-Encoding"] }));
  let jsBytes = 0, jsFiles = 0, gzipped = true;
  cdp.on("Network.loadingFinished", (e) => {
    const r = wire.get(e.requestId);
    if (r && r.type === "Script") { jsBytes += e.encodedDataLength; jsFiles++; gzipped &&= r.enc === "gzip"; if (process.env.WEBPERF_FILES) console.error(e.encodedDataLength, r.url); }
  });
  await p.goto(base + "/orders");
  await p.waitForSelector("tr[data-order-id]");
  await p.waitForLoadState("networkidle");
  await fresh.close();

  // navigation → rendered table, warm HTTP cache for static files (as a returning user)
  const warm = await browser.newContext({ storageState: state });
  const wp = await warm.newPage();
  await wp.goto(base + "/orders");
  await wp.waitForSelector("tr[data-order-id]");
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = Date.now();
    await wp.goto(base + "/orders?page=" + (1 + (i % 5)));
    await wp.waitForSelector("tr[data-order-id]");
    times.push(Date.now() - start);
  }
  await warm.close();
  times.sort((a, b) => a - b);
  const pct = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const kb = (jsBytes / 1024).toFixed(1);
  console.log(`| first-load JavaScript of /orders (${jsFiles} files, ${gzipped ? "gzip" : "NOT gzip"} on the wire) | ${kb} KiB | target < 200 KB: ${jsBytes < 200_000 ? "met" : "MISSED"} |`);
  console.log(`| navigation → rendered orders table (${runs} runs, loopback, median / p90 / max) | ${pct(0.5)} / ${pct(0.9)} / ${times[times.length - 1]} ms | |`);
} finally {
  await browser.close();
}
