// Browser error reports in the end-to-end run: a local Sentry receiver (the
// envelope endpoint, /api/<project>/envelope/) that the server's SENTRY_DSN
// points at, and the check that an error thrown in a page reaches it, scrubbed.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { context } from "./browser.mjs";

/** Starts the receiver; dsn is what SENTRY_DSN must be set to. */
export async function startSentryReceiver() {
  const events = [];
  const server = createServer((req, res) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Headers", "*");
    if (req.method === "OPTIONS") return res.writeHead(204).end();
    if (req.method !== "POST" || !/^\/api\/42\/envelope\/(\?|$)/.test(req.url)) return res.writeHead(404).end();
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      // an envelope: a header line, then (item header, payload) line pairs
      const lines = body.split("\n");
      for (let i = 1; i + 1 < lines.length; i += 2) {
        try {
          if (JSON.parse(lines[i]).type === "event") events.push({ raw: lines[i + 1], event: JSON.parse(lines[i + 1]) });
        } catch { /* not JSON: not an item we look at */ }
      }
      res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return { dsn: `http://e2epublickey@127.0.0.1:${port}/42`, events, stop: () => server.close() };
}

/** The checks of one mode: the page is handed the DSN and an error thrown in it is reported, scrubbed. */
export async function sentryChecks({ t, base, browser, watch, receiver }) {
  await t("a browser error reaches the Sentry receiver, without the query string's email", async () => {
    const ctx = await context(browser, { locale: "en" });
    ctx.on("page", watch);
    const p = await ctx.newPage();
    await p.goto(base + "/login?next=%2Forders%3Fq%3Dbuyer%40example.com");
    assert.match(await p.locator('meta[name="pishkhan-sentry-dsn"]').getAttribute("content"), /^http:\/\/e2epublickey@127\.0\.0\.1:\d+\/42$/);
    const marker = `e2e browser error ${Math.random().toString(36).slice(2)}`;
    await p.evaluate((m) => { setTimeout(() => { throw new Error(m); }, 0); }, marker);
    let found;
    for (let i = 0; i < 100 && !found; i++) {
      found = receiver.events.find((e) => e.raw.includes(marker));
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(found, `no event with ${marker} among ${receiver.events.length}`);
    assert.equal(found.event.exception?.values?.[0]?.value, marker);
    assert.equal(found.event.request?.url, base + "/login");
    assert.doesNotMatch(found.raw, /buyer|example\.com|pishkhan_session|[Cc]ookie/);
    await ctx.close();
  });
}
