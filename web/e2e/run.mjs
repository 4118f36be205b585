// End-to-end tests: the real pishkhan binary (with the web app embedded)
// driven by Debian's Chromium, on the embedded default and on PostgreSQL +
// Redis. Usage: node e2e/run.mjs [path to pishkhan binary]
// Prints "N passed, N failed" and exits non-zero on any failure.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { context, launch, login } from "./browser.mjs";

const bin = resolve(process.argv[2] || "../bin/pishkhan");
const pgAdmin = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test?sslmode=disable";
const redisURL = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379/0";
const ADMIN = { email: "admin@e2e.example", password: "e2e-admin-password" };
const VIEWER = { email: "viewer@e2e.example", password: "e2e-viewer-password" };

let passed = 0, failed = 0;
async function check(name, fn) {
  const start = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - start} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(e?.stack || e).split("\n").slice(0, 6).join("\n     ")}`);
  }
}

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => res(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startMode(mode) {
  const port = await freePort();
  const id = Math.random().toString(36).slice(2, 8);
  const env = { ...process.env, ADDR: `127.0.0.1:${port}`, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: "warn", CACHE_PREFIX: `pke2e-${id}:` };
  let cleanup = () => {};
  if (mode === "postgres+redis") {
    const db = `pk_e2e_${id}`;
    execFileSync("psql", [pgAdmin, "-qc", `CREATE DATABASE ${db}`]);
    const u = new URL(pgAdmin); u.pathname = "/" + db;
    env.DATABASE_URL = u.toString();
    env.REDIS_URL = redisURL;
    execFileSync(bin, ["migrate"], { env });
    cleanup = () => execFileSync("psql", [pgAdmin, "-qc", `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]);
  } else {
    env.DATA_DIR = mkdtempSync(join(tmpdir(), "pishkhan-e2e-"));
  }
  const server = spawn(bin, ["serve"], { env, stdio: ["ignore", "ignore", "inherit"] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(base + "/readyz")).ok) break; } catch { /* not yet */ }
    if (i > 100) throw new Error("server did not start");
    await sleep(100);
  }
  execFileSync(bin, ["createuser", "--email", VIEWER.email, "--password", VIEWER.password, "--role", "E2E viewer", "--permissions", "orders.view"], { env });
  execFileSync(bin, ["seed", "--orders", "80"], { env });
  return { base, stop: async () => { server.kill("SIGTERM"); await new Promise((r) => server.once("exit", r)); cleanup(); } };
}

async function suite(mode, browser) {
  const { base, stop } = await startMode(mode);
  const t = (name, fn) => check(`[${mode}] ${name}`, fn);
  const cspViolations = [];
  const watch = (page) => page.on("console", (m) => { if (/Content Security Policy|Refused to/.test(m.text())) cspViolations.push(m.text()); });
  try {
    const ctxA = await context(browser, { locale: "en" });
    ctxA.on("page", watch);
    const a = await ctxA.newPage();

    await t("an anonymous visit goes to the login page and back after login", async () => {
      await a.goto(base + "/orders?status=delivered");
      await a.waitForURL(/\/login\?next=/);
      await a.locator('input[type="email"]').fill(ADMIN.email);
      await a.locator('input[type="password"]').fill(ADMIN.password);
      await a.locator('button[type="submit"]').click();
      await a.waitForURL(/\/orders\?status=delivered/);
      await a.waitForSelector("tr[data-order-id]");
    });

    await t("a wrong password is refused with a clear message", async () => {
      const ctx = await context(browser, { locale: "en" });
      const p = await ctx.newPage();
      await p.goto(base + "/login");
      await p.locator('input[type="email"]').fill(ADMIN.email);
      await p.locator('input[type="password"]').fill("not the password");
      await p.locator('button[type="submit"]').click();
      assert.equal(await p.locator('form [role="alert"]').textContent(), "The email or password is wrong.");
      await ctx.close();
    });

    await t("filters in the URL filter the list, and the controls show them", async () => {
      await a.goto(base + "/orders?status=delivered&sort=-total&page_size=10");
      await a.waitForSelector("tr[data-order-id]");
      const statuses = await a.locator("tr[data-order-id] [data-status]").evaluateAll((els) => els.map((e) => e.getAttribute("data-status")));
      assert.ok(statuses.length > 0 && statuses.length <= 10, `rows: ${statuses.length}`);
      assert.ok(statuses.every((s) => s === "delivered"), statuses.join());
      assert.equal(await a.locator('select[name="status"]').inputValue(), "delivered");
      const totals = await a.locator("tr[data-order-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-order-id")));
      assert.equal(new Set(totals).size, totals.length);
      await a.locator('input[name="q"]').fill("ORD-0000");
      await a.waitForURL(/q=ORD-0000/);
    });

    let orderId;
    await t("creating an order shows server-computed totals", async () => {
      await a.goto(base + "/orders/new");
      await a.getByLabel("Customer name").fill("E2E Customer");
      await a.getByLabel("Customer email").fill("e2e.customer@example.com");
      await a.getByLabel("SKU").fill("E2E-1");
      await a.getByLabel("Name", { exact: true }).fill("Widget");
      await a.getByLabel("Qty").fill("3");
      await a.getByLabel("Unit price").fill("1500");
      await a.getByLabel("Shipping (minor units)").fill("500");
      await a.getByRole("button", { name: "Create order" }).click();
      await a.waitForURL(/\/orders\/detail\?id=\d+/);
      assert.match(await a.locator('[data-testid="order-total"]').textContent(), /5,000/);
      orderId = new URL(a.url()).searchParams.get("id");
    });

    await t("a detail opens from the list with customer, items, totals and history", async () => {
      await a.goto(base + "/orders?status=pending&q=e2e.customer");
      await a.waitForSelector(`tr[data-order-id="${orderId}"]`);
      await a.locator(`tr[data-order-id="${orderId}"] a`).click();
      await a.waitForURL(new RegExp(`/orders/detail\\?id=${orderId}$`));
      await a.waitForSelector('[data-testid="history"] li');
      assert.match(await a.locator('[data-testid="order-total"]').textContent(), /\d/);
      assert.deepEqual(await a.locator("[data-transition]").evaluateAll((b) => b.map((x) => x.getAttribute("data-transition"))), ["paid", "cancelled"]);
    });

    await t("a status change shows at once, and a second browser sees it without reload", async () => {
      const ctxB = await context(browser, { locale: "en" });
      const b = await ctxB.newPage();
      await login(b, base, ADMIN.email, ADMIN.password);
      await b.goto(`${base}/orders/detail?id=${orderId}`);
      await b.waitForSelector('[data-testid="order-status"] [data-status="pending"]');
      await b.waitForSelector('[data-live="live"]');
      await a.locator('[data-transition="paid"]').click();
      await a.waitForSelector('[data-testid="order-status"] [data-status="paid"]');
      await b.waitForSelector('[data-testid="order-status"] [data-status="paid"]', { timeout: 3000 });
      assert.equal(await b.locator('[data-testid="history"] li').count(), 2);
      await ctxB.close();
    });

    await t("a change made elsewhere meanwhile is explained (412), not overwritten", async () => {
      const ctxC = await context(browser, { locale: "en" });
      await ctxC.route("**/api/events", (r) => r.abort()); // this browser hears no live events
      const c = await ctxC.newPage();
      await login(c, base, ADMIN.email, ADMIN.password);
      await c.goto(`${base}/orders/detail?id=${orderId}`);
      await c.waitForSelector('[data-testid="order-status"] [data-status="paid"]');
      await a.goto(`${base}/orders/detail?id=${orderId}`);
      await a.locator('[data-transition="processing"]').click();
      await a.waitForSelector('[data-testid="order-status"] [data-status="processing"]');
      await c.locator('[data-transition="cancelled"]').click();
      const msg = await c.locator('p[role="alert"]').textContent();
      assert.match(msg, /changed after you loaded it/);
      await c.waitForSelector('[data-testid="order-status"] [data-status="processing"]');
      await ctxC.close();
    });

    await t("a user without orders.create sees no create button and gets 403 from the API", async () => {
      const ctx = await context(browser, { locale: "en" });
      const p = await ctx.newPage();
      await login(p, base, VIEWER.email, VIEWER.password);
      await p.waitForSelector("tr[data-order-id]");
      assert.equal(await p.locator('a[href="/orders/new"]').count(), 0);
      await p.goto(`${base}/orders/detail?id=${orderId}`);
      await p.waitForSelector('[data-testid="history"] li');
      assert.equal(await p.locator("[data-transition]").count(), 0);
      const status = await p.evaluate(async () => {
        const me = await (await fetch("/api/auth/me")).json();
        const r = await fetch("/api/orders", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token },
          body: JSON.stringify({ customer: { name: "x", email: "x@example.com" }, items: [{ sku: "a", name: "a", quantity: 1, unit_price: 1 }], currency: "IRR" }) });
        return [r.status, (await r.json()).code];
      });
      assert.deepEqual(status, [403, "PERMISSION_DENIED"]);
      await ctx.close();
    });

    await t("fa renders right-to-left with Persian digits and Jalali dates; en left-to-right", async () => {
      const ctx = await context(browser, { locale: "fa" });
      const p = await ctx.newPage();
      await login(p, base, ADMIN.email, ADMIN.password);
      await p.waitForSelector("tr[data-order-id]");
      assert.equal(await p.evaluate(() => document.documentElement.dir), "rtl");
      assert.equal(await p.evaluate(() => document.documentElement.lang), "fa");
      const date = await p.locator("tr[data-order-id] td").last().textContent();
      assert.match(date, /۱۴۰[۴۵]/, `Jalali year with Persian digits expected, got ${date}`);
      assert.equal(await a.evaluate(() => document.documentElement.dir), "ltr");
      assert.match(await a.locator("body").textContent(), /2026|2025/);
      await ctx.close();
    });

    await t("logging out ends the session", async () => {
      await a.goto(base + "/orders");
      await a.getByRole("button", { name: "user menu" }).click();
      await a.getByRole("menuitem", { name: "Log out" }).click();
      await a.waitForURL(/\/login/);
      assert.equal(await a.evaluate(async () => (await fetch("/api/auth/me")).status), 401);
    });

    await t("an unknown page shows the not-found page with status 404", async () => {
      const r = await a.goto(base + "/no/such/page");
      assert.equal(r.status(), 404);
      await a.waitForSelector("text=404");
    });
    await t("no page broke the Content-Security-Policy", async () => {
      assert.deepEqual(cspViolations, []);
    });
    await ctxA.close();
  } finally {
    await stop();
  }
}

const browser = await launch();
try {
  for (const mode of ["embedded", "postgres+redis"]) {
    try {
      await suite(mode, browser);
    } catch (e) {
      failed++;
      console.log(`FAIL [${mode}] setup: ${e?.stack || e}`);
    }
  }
} finally {
  await browser.close();
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
