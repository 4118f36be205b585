// Which elements move while each screen loads (layout shifts, as CLS counts
// them), logged in, on Lighthouse's phone (412×823 at 1.75×, touch) and on a
// desktop, with the CPU slowed 4× as Lighthouse's mobile profile slows it.
// For finding what to fix, not a benchmark: it prints, per screen, the CLS
// (largest session window, as Lighthouse scores it) and each shift's
// moving elements with where they were and went.
// Usage: node e2e/shifts.mjs BASE_URL EMAIL PASSWORD [PATH...]
import { context, launch, login } from "./browser.mjs";

const [base, email, password, ...only] = process.argv.slice(2);
if (!base || !password) {
  console.error("usage: node e2e/shifts.mjs BASE_URL EMAIL PASSWORD [PATH...]");
  process.exit(2);
}

const browser = await launch();
try {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, base, email, password);
  const ids = await page.evaluate(async () => {
    const first = async (u) => (await (await fetch(u)).json()).items?.[0]?.id;
    return { order: await first("/api/orders?page_size=1"), user: await first("/api/users?page_size=1"), job: await first("/api/jobs?page_size=1") };
  });
  const state = await ctx.storageState();
  await ctx.close();

  const screens = only.length ? only : [
    "/", "/orders", `/orders/detail?id=${ids.order}`, "/orders/new", "/users", `/users/detail?id=${ids.user}`,
    "/roles", "/audit", "/media", "/jobs", ...(ids.job ? [`/jobs/detail?id=${ids.job}`] : []), "/account", "/account/two-factor",
  ];
  const devices = [
    ["phone", { viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true }],
    ["desktop", { viewport: { width: 1366, height: 768 } }],
  ];
  for (const path of screens) {
    for (const [name, device] of devices) {
      // a fresh context each time: an empty HTTP cache, as Lighthouse loads
      const c = await browser.newContext({ ...device, storageState: state });
      const p = await c.newPage();
      const cdp = await c.newCDPSession(p);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
      await p.addInitScript(() => {
        window.__shifts = [];
        const describe = (n) => {
          if (!n || n.nodeType !== 1) return n ? `#text "${(n.textContent || "").trim().slice(0, 30)}"` : "?";
          const id = n.getAttribute("data-testid") || n.id;
          const cls = (n.getAttribute("class") || "").split(/\s+/).slice(0, 4).join(".");
          return `<${n.tagName.toLowerCase()}${id ? ` ${id}` : ""}${cls ? ` .${cls}` : ""}> "${(n.textContent || "").trim().slice(0, 30)}"`;
        };
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) {
            if (e.hadRecentInput) continue;
            window.__shifts.push({
              t: Math.round(e.startTime), value: e.value,
              sources: e.sources.map((s) => ({ node: describe(s.node), from: [s.previousRect.x, s.previousRect.y, s.previousRect.width, s.previousRect.height].map(Math.round), to: [s.currentRect.x, s.currentRect.y, s.currentRect.width, s.currentRect.height].map(Math.round) })),
            });
          }
        }).observe({ type: "layout-shift", buffered: true });
      });
      await p.goto(base + path, { waitUntil: "networkidle" });
      await p.waitForTimeout(1500);
      const shifts = await p.evaluate(() => window.__shifts);
      await c.close();
      // Lighthouse's CLS: the largest session window (gaps < 1 s, at most 5 s long)
      let cls = 0, win = 0, start = -Infinity, last = -Infinity;
      for (const s of shifts) {
        if (s.t - last > 1000 || s.t - start > 5000) { win = 0; start = s.t; }
        win += s.value;
        last = s.t;
        cls = Math.max(cls, win);
      }
      console.log(`${path} [${name}] CLS ${cls.toFixed(3)}${shifts.length ? "" : " (no shifts)"}`);
      for (const s of shifts) {
        console.log(`  ${s.t} ms  ${s.value.toFixed(4)}`);
        for (const src of s.sources) console.log(`    ${src.node}  ${src.from.join(",")} → ${src.to.join(",")}`);
      }
    }
  }
} finally {
  await browser.close();
}
