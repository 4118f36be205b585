// End-to-end tests: the real pishkhan binary (with the web app embedded)
// driven by Debian's Chromium, on the embedded default and on PostgreSQL +
// Redis. Usage: node e2e/run.mjs [path to pishkhan binary]
// Prints "N passed, N failed" and exits non-zero on any failure.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { context, launch, login } from "./browser.mjs";
import { auditScreens } from "./axe.mjs";
import { persianFrames } from "./flash.mjs";
import { chatChecks } from "./chat.mjs";
import { widgetChecks } from "./widget.mjs";
import { PUBLISHER, WRITER, contentChecks } from "./content.mjs";
import { MEDIA_VIEWER, mediaChecks } from "./media.mjs";
import { startClamd, startS3 } from "./services.mjs";
import { sentryChecks, startSentryReceiver } from "./sentry.mjs";

const bin = resolve(process.argv[2] || "../bin/pishkhan");
const pgAdmin = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test?sslmode=disable";
const redisURL = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379/0";
const ADMIN = { email: "admin@e2e.example", password: "e2e-admin-password" };
const VIEWER = { email: "viewer@e2e.example", password: "e2e-viewer-password" };
const TFA = { email: "totp.user@e2e.example", password: "e2e-totp-user-password" };
const ENROL = { email: "must.enrol@e2e.example", password: "e2e-must-enrol-password" };
const INVITEE = { email: "invited.person@e2e.example", name: "Invited Person", password: "e2e invited person passphrase" };
const ACCOUNT = { email: "account.user@e2e.example", password: "e2e-account-user-password" };

/** RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits) of a base32 secret at a time step. */
function totp(secret, step) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", key).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
const totpStep = () => Math.floor(Date.now() / 30_000);

/** Opens the user menu once its Radix dropdown has replaced the stand-in button (loaded on hover). */
async function openUserMenu(page) {
  const trigger = page.getByRole("button", { name: /, user menu$/ });
  await trigger.hover();
  await page.waitForSelector('button[aria-label$=", user menu"][data-state]');
  await trigger.click();
}

/**
 * The status of GET /api/auth/me in page's session. A page whose session just ended may be on its
 * way to the login page (a live event told it); the check waits that navigation out and asks again.
 */
async function meStatus(page) {
  for (let i = 0; ; i++) {
    try {
      return await page.evaluate(async () => (await fetch("/api/auth/me")).status);
    } catch (e) {
      if (i >= 20 || !/Execution context was destroyed|navigat/i.test(String(e))) throw e;
      await page.waitForLoadState("load").catch(() => {});
    }
  }
}

let passed = 0, failed = 0;
// every instance reports errors to this local Sentry receiver (e2e/sentry.mjs)
const sentry = await startSentryReceiver();
// E2E_ONLY=regexp runs only the checks whose name matches (e.g. "content:"); the rest are skipped
const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null;
async function check(name, fn) {
  if (only && !only.test(name)) return;
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
  // a website on another origin embeds the chat widget (e2e/widget.mjs)
  const sitePort = await freePort();
  const id = Math.random().toString(36).slice(2, 8);
  const env = { ...process.env, ADDR: `127.0.0.1:${port}`, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: "warn", CACHE_PREFIX: `pke2e-${id}:`, SENTRY_DSN: sentry.dsn,
    PUBLIC_CORS_ORIGINS: `http://127.0.0.1:${sitePort}` };
  let cleanup = () => {};
  if (mode === "postgres+redis") {
    const db = `pk_e2e_${id}`;
    execFileSync("psql", [pgAdmin, "-qc", `CREATE DATABASE ${db}`]);
    const u = new URL(pgAdmin); u.pathname = "/" + db;
    env.DATABASE_URL = u.toString();
    env.REDIS_URL = redisURL;
    // production refuses to start without these
    env.PUBLIC_URL = `http://127.0.0.1:${port}`;
    env.SECRET_KEY = randomBytes(32).toString("hex");
    // production's media parts: S3-compatible storage (uploads go straight to it) and clamd
    const s3 = await startS3(), clamd = await startClamd();
    Object.assign(env, s3.env, clamd.env);
    execFileSync(bin, ["migrate"], { env });
    cleanup = () => {
      s3.stop();
      clamd.stop();
      execFileSync("psql", [pgAdmin, "-qc", `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]);
    };
  } else {
    env.DATA_DIR = mkdtempSync(join(tmpdir(), "pishkhan-e2e-"));
    // the embedded cache lives in the serve process, where another process's writes cannot reach it,
    // and serve warms the statistics at start: demo data goes in first, as the README orders it
    execFileSync(bin, ["migrate"], { env });
    execFileSync(bin, ["seed", "--orders", "80"], { env });
  }
  const server = spawn(bin, ["serve"], { env, stdio: ["ignore", "ignore", "inherit"] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(base + "/readyz")).ok) break; } catch { /* not yet */ }
    if (i > 100) throw new Error("server did not start");
    await sleep(100);
  }
  execFileSync(bin, ["createuser", "--email", VIEWER.email, "--password", VIEWER.password, "--role", "E2E viewer", "--permissions", "orders.view"], { env });
  execFileSync(bin, ["createuser", "--email", TFA.email, "--password", TFA.password, "--role", "E2E two-factor", "--permissions", "orders.view"], { env });
  execFileSync(bin, ["createuser", "--email", ENROL.email, "--password", ENROL.password, "--role", "E2E must enrol", "--permissions", "orders.view"], { env });
  execFileSync(bin, ["createuser", "--email", ACCOUNT.email, "--password", ACCOUNT.password, "--role", "E2E account", "--permissions", "orders.view,audit.view"], { env });
  execFileSync(bin, ["createuser", "--email", MEDIA_VIEWER.email, "--password", MEDIA_VIEWER.password, "--role", "E2E media viewer", "--permissions", "orders.view,media.view"], { env });
  execFileSync(bin, ["createuser", "--email", WRITER.email, "--password", WRITER.password, "--role", "E2E writer", "--permissions", WRITER.permissions], { env });
  execFileSync(bin, ["createuser", "--email", PUBLISHER.email, "--password", PUBLISHER.password, "--role", "E2E publisher", "--permissions", PUBLISHER.permissions], { env });
  // with Redis, a seed beside a running server must reach its cache
  if (mode === "postgres+redis") execFileSync(bin, ["seed", "--orders", "80"], { env });
  return { base, sitePort, stop: async () => { server.kill("SIGTERM"); await new Promise((r) => server.once("exit", r)); cleanup(); } };
}

async function suite(mode, browser) {
  const { base, sitePort, stop } = await startMode(mode);
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

    await t("an English user never sees Persian painted, from the first frame (login, orders, dashboard)", async () => {
      const anon = await persianFrames(browser, base, ["/login"]);
      const signed = await persianFrames(browser, base, ["/orders", "/"], ADMIN);
      for (const [path, r] of Object.entries({ ...anon, ...signed })) {
        assert.ok(r.frames > 3, `${path}: ${r.frames} frames recorded`);
        assert.deepEqual(r.persian, [], `${path}: Persian painted`);
        assert.match(r.last, /[A-Za-z]{4}/, `${path}: English on screen at the end`);
      }
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
      // the history is a query of its own: its refetch may land a moment after the status's
      await b.locator('[data-testid="history"] li').nth(1).waitFor({ timeout: 3000 });
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
      await c.locator('dialog [data-testid="confirm"]').click();
      const msg = await c.locator('p[role="alert"]').textContent();
      assert.match(msg, /changed after you loaded it/);
      await c.waitForSelector('[data-testid="order-status"] [data-status="processing"]');
      await ctxC.close();
    });

    await t("cancel asks first, naming the order; keeping it changes nothing; confirming moves focus to the status card", async () => {
      await a.goto(`${base}/orders/detail?id=${orderId}`);
      await a.waitForSelector('[data-testid="order-status"] [data-status="processing"]');
      const number = await a.evaluate(async (id) => (await (await fetch(`/api/orders/${id}`)).json()).number, orderId);
      await a.locator('[data-transition="cancelled"]').click();
      const dialog = a.getByRole("dialog");
      await dialog.waitFor();
      assert.equal(await dialog.getByRole("heading").textContent(), `Cancel order \u2068${number}\u2069?`);
      assert.match(await dialog.textContent(), /cannot be undone/);
      await a.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      await a.locator('[data-transition="cancelled"]').click();
      await a.getByRole("button", { name: "Keep order" }).click();
      await dialog.waitFor({ state: "hidden" });
      assert.equal(await a.evaluate(async (id) => (await (await fetch(`/api/orders/${id}`)).json()).status, orderId), "processing");
      // nothing was added to the history (a query of its own: wait for it to be in)
      await a.locator('[data-testid="history"] li').nth(2).waitFor();
      assert.equal(await a.locator('[data-testid="history"] li').count(), 3);
      await a.locator('[data-transition="cancelled"]').click();
      await a.locator('dialog [data-testid="confirm"]').click();
      await a.waitForSelector('[data-testid="order-status"] [data-status="cancelled"]');
      assert.equal(await a.evaluate(async (id) => (await (await fetch(`/api/orders/${id}`)).json()).status, orderId), "cancelled");
      await a.waitForFunction(() => document.activeElement && document.activeElement !== document.body);
      assert.equal(await a.evaluate(() => document.activeElement.getAttribute("data-testid")), "status-heading");
    });

    await t("the first Tab reaches the skip link, which moves focus to the main region; the tab is titled after the screen", async () => {
      await a.goto(base + "/orders");
      await a.waitForSelector("tr[data-order-id]");
      assert.equal(await a.title(), "Orders · Pishkhan");
      await a.keyboard.press("Tab");
      assert.equal(await a.evaluate(() => document.activeElement?.getAttribute("data-testid")), "skip-link");
      await a.keyboard.press("Enter");
      assert.equal(await a.evaluate(() => document.activeElement?.id), "main");
    });

    // The dashboard: home for users with stats.view, its figures those of the API (checked against the orders themselves), live.
    await t("the dashboard is home and its KPIs match the orders", async () => {
      await a.goto(base + "/");
      await a.waitForSelector('[data-testid="dashboard"] [data-kpi="orders"]');
      assert.equal(await a.locator('aside a[href="/"]').getAttribute("aria-current"), "page");
      assert.equal(await a.locator('aside a[href="/"]').textContent(), "Dashboard");
      const o = await a.evaluate(async () => (await fetch("/api/stats/overview?range=30d")).json());
      assert.equal(o.range, "30d");
      assert.equal(o.series.length, 30);
      const sum = (f) => o.series.reduce((s, p) => s + f(p), 0);
      assert.equal(sum((p) => p.orders), o.kpis.orders.value);
      assert.equal(sum((p) => p.new_customers), o.kpis.new_customers.value);
      assert.equal(o.by_status.reduce((s, f) => s + f.orders, 0), o.kpis.orders.value);
      assert.ok(o.kpis.orders.value > 0, "the e2e's own orders are in the period");
      // the same figures from the orders list: every order created in the period, and the revenue of those paid and not cancelled or refunded
      if (o.time_zone === "UTC") {
        const fromOrders = await a.evaluate(async (from) => {
          const all = [];
          for (let page = 1; ; page++) {
            const r = await (await fetch(`/api/orders?created_from=${from}T00:00:00Z&page_size=100&page=${page}`)).json();
            all.push(...r.items);
            if (page >= r.total_pages) return { total: r.total, items: all };
          }
        }, o.from);
        assert.equal(fromOrders.total, o.kpis.orders.value);
        const revenue = {};
        for (const x of fromOrders.items) if (["paid", "processing", "shipped", "delivered"].includes(x.status)) revenue[x.currency] = (revenue[x.currency] ?? 0) + x.total;
        assert.deepEqual(Object.fromEntries(o.kpis.revenue.filter((m) => m.value).map((m) => [m.currency, m.value])), revenue);
      }
      // the screen shows those figures
      const kpi = (id) => a.locator(`[data-kpi="${id}"]`);
      assert.equal(await kpi("orders").getAttribute("data-value"), String(o.kpis.orders.value));
      assert.equal(await kpi("orders").locator('[data-testid="kpi-value"]').textContent(), o.kpis.orders.value.toLocaleString("en-US"));
      assert.equal(await kpi("new_customers").getAttribute("data-value"), String(o.kpis.new_customers.value));
      const revenueShown = await kpi("revenue").getAttribute("data-value");
      if (o.kpis.revenue.length === 1) assert.equal(revenueShown, String(o.kpis.revenue[0].value));
      else if (o.kpis.revenue.length > 1) assert.ok(o.kpis.revenue.some((m) => String(m.value) === revenueShown), revenueShown);
      assert.equal(await a.locator('[data-testid="today-orders"]').getAttribute("data-value"), String(o.today.orders));
      assert.deepEqual(await a.locator("[data-status-row]").evaluateAll((rows) => rows.map((r) => [r.getAttribute("data-status-row"), Number(r.getAttribute("data-orders"))])),
        o.by_status.map((f) => [f.status, f.orders]));
      assert.equal(await a.locator('[data-testid="series-chart"]').getAttribute("data-days"), "30");
      assert.equal(await a.locator('[data-testid="series-chart"] rect[data-day]').count(), 30);
      assert.ok(await a.locator("[data-recent-order]").count() > 0);
      // another range: the URL keeps it, the figures follow
      await a.locator('[data-testid="range"] [data-value="7d"]').click();
      await a.waitForURL(/\/\?range=7d$/);
      const o7 = await a.evaluate(async () => (await fetch("/api/stats/overview?range=7d")).json());
      await a.waitForSelector(`[data-testid="series-chart"][data-days="7"]`);
      assert.equal(await kpi("orders").getAttribute("data-value"), String(o7.kpis.orders.value));
      await a.reload();
      await a.waitForSelector(`[data-testid="series-chart"][data-days="7"]`);
      assert.equal(await a.locator('[data-testid="range"] [data-value="7d"]').getAttribute("aria-pressed"), "true");
    });

    await t("an order created elsewhere moves today's figures on the open dashboard, no reload", async () => {
      await a.goto(base + "/?range=7d");
      await a.waitForSelector('[data-testid="today-orders"]');
      await a.waitForSelector('[data-live="live"]');
      await a.evaluate(() => { window.__sameDocument = true; });
      const today = Number(await a.locator('[data-testid="today-orders"]').getAttribute("data-value"));
      const period = Number(await a.locator('[data-kpi="orders"]').getAttribute("data-value"));
      const ctxB = await context(browser, { locale: "en" });
      const b = await ctxB.newPage();
      await login(b, base, ADMIN.email, ADMIN.password);
      const created = await b.evaluate(async () => {
        const me = await (await fetch("/api/auth/me")).json();
        const r = await fetch("/api/orders", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token },
          body: JSON.stringify({ customer: { name: "Live Dashboard", email: `live.${Date.now()}@example.com` }, items: [{ sku: "LIVE-1", name: "Live", quantity: 2, unit_price: 250000 }], currency: "IRR" }) });
        return [r.status, (await r.json()).id];
      });
      assert.equal(created[0], 201);
      await a.waitForSelector(`[data-testid="today-orders"][data-value="${today + 1}"]`, { timeout: 5000 });
      await a.waitForSelector(`[data-kpi="orders"][data-value="${period + 1}"]`, { timeout: 5000 });
      await a.waitForSelector(`[data-recent-order="${created[1]}"]`, { timeout: 5000 });
      assert.equal(await a.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
      await ctxB.close();
    });

    await t("a user without stats.view or jobs.manage lands on the orders list, with no dashboard or jobs entry", async () => {
      const ctx = await context(browser, { locale: "en" });
      const p = await ctx.newPage();
      await login(p, base, VIEWER.email, VIEWER.password);
      await p.waitForURL(/\/orders$/);
      await p.waitForSelector("tr[data-order-id]");
      assert.equal(await p.locator('aside a[href="/"]').count(), 0);
      assert.equal(await p.locator('aside a[href="/jobs"]').count(), 0);
      await p.goto(base + "/");
      await p.waitForURL(/\/orders$/);
      assert.deepEqual(await p.evaluate(async () => [(await fetch("/api/stats/overview")).status, (await fetch("/api/jobs")).status]), [403, 403]);
      await ctx.close();
    });

    await t("the jobs screen lists jobs with state badges, filters by state in the URL and opens a job", async () => {
      const completed = await a.evaluate(async () => (await (await fetch("/api/jobs?state=completed&page_size=1")).json()).total);
      assert.ok(completed >= 1, "the start-up stats_reconcile job has completed");
      await a.goto(base + "/");
      await a.locator('aside a[href="/jobs"]').click();
      await a.waitForURL(/\/jobs$/);
      await a.waitForSelector("tr[data-job-id]");
      const rows = await a.locator("tr[data-job-id]").evaluateAll((rs) => rs.map((r) => [r.getAttribute("data-state"), r.querySelector("[data-job-state]")?.getAttribute("data-job-state"), r.querySelector("[data-job-state]")?.textContent]));
      assert.ok(rows.length > 0);
      for (const [state, badge, text] of rows) { assert.equal(badge, state); assert.ok(text.length > 0); }
      assert.ok(rows.some(([s]) => s === "completed"), rows.join(";"));
      await a.locator('[data-testid="job-tabs"] [data-group="completed"]').click();
      await a.waitForURL(/\/jobs\?state=completed$/);
      await a.waitForFunction(() => [...document.querySelectorAll("tr[data-job-id]")].length > 0 && [...document.querySelectorAll("tr[data-job-id]")].every((r) => r.getAttribute("data-state") === "completed"));
      assert.equal(await a.locator('[data-testid="job-tabs"] [data-group="completed"]').getAttribute("aria-pressed"), "true");
      assert.equal(await a.locator("tr[data-job-id] [data-job-state]").first().textContent(), "Completed");
      await a.locator('input[name="kind"]').fill("stats_reconcile");
      await a.waitForURL(/kind=stats_reconcile/);
      await a.waitForFunction(() => [...document.querySelectorAll("tr[data-job-id]")].every((r) => r.getAttribute("data-kind") === "stats_reconcile"));
      const id = await a.locator("tr[data-job-id]").first().getAttribute("data-job-id");
      await a.locator(`tr[data-job-id="${id}"] a`).click();
      await a.waitForURL(new RegExp(`/jobs/detail\\?id=${id}$`));
      await a.waitForSelector('[data-testid="job-detail"][data-state="completed"]');
      assert.equal(await a.locator('[data-testid="job-state"] [data-job-state]').getAttribute("data-job-state"), "completed");
      // the args, as JSON
      JSON.parse(await a.locator('[data-testid="job-args"]').textContent());
      // a finished job offers neither action, and the server refuses a cancel with a reason
      assert.equal(await a.locator('[data-testid="job-retry"], [data-testid="job-cancel"]').count(), 0);
      const refused = await a.evaluate(async (jid) => {
        const me = await (await fetch("/api/auth/me")).json();
        const r = await fetch(`/api/jobs/${jid}/cancel`, { method: "POST", headers: { "X-CSRF-Token": me.csrf_token } });
        return [r.status, (await r.json()).code];
      }, id);
      assert.deepEqual(refused, [409, "CONFLICT"]);
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

    await t("a user turns on two-factor in the UI, then logs in with password and a code", async () => {
      const ctx = await context(browser, { locale: "en" });
      const p = await ctx.newPage();
      await login(p, base, TFA.email, TFA.password);
      // one fast click on the stand-in opens the real menu (no hover first)
      await p.getByRole("button", { name: /, user menu$/ }).click();
      await p.getByRole("menuitem", { name: "Two-factor authentication" }).click();
      await p.waitForURL(/\/account\/two-factor$/);
      await p.waitForSelector('[data-testid="totp-state"][data-enabled="false"]');
      // starting needs the password again
      await p.locator('[data-testid="totp-start-password"]').fill("not the password");
      await p.locator('[data-testid="totp-start"]').click();
      await p.waitForSelector("text=The password is wrong.");
      await p.locator('[data-testid="totp-start-password"]').fill(TFA.password);
      await p.locator('[data-testid="totp-start"]').click();
      // the QR code is drawn in the page from the otpauth URL; the key is shown for typing in
      const qr = p.getByRole("img", { name: "QR code to add Pishkhan to your authenticator app" });
      await qr.waitFor();
      assert.equal(await qr.evaluate((e) => e.tagName.toLowerCase()), "svg");
      const secret = (await p.locator('[data-testid="totp-secret"]').textContent()).replace(/\s/g, "");
      assert.match(secret, /^[A-Z2-7]{32}$/);
      assert.match(await qr.getAttribute("data-qr"), new RegExp(`^otpauth://totp/.*[?&]secret=${secret}(&|$)`));
      const enrolStep = totpStep();
      await p.getByLabel("6-digit code").fill(totp(secret, enrolStep));
      await p.getByRole("button", { name: "Confirm and turn on" }).click();
      await p.waitForSelector('[data-testid="recovery-codes"]');
      const codes = await p.locator("[data-code]").allTextContents();
      assert.equal(codes.length, 10);
      assert.ok(codes.every((c) => /^[a-z2-7]{5}-[a-z2-7]{5}$/.test(c)), codes.join());
      const [dl] = await Promise.all([p.waitForEvent("download"), p.getByRole("button", { name: "Download .txt" }).click()]);
      assert.equal(dl.suggestedFilename(), "pishkhan-recovery-codes.txt");
      await p.getByLabel("I have saved these codes somewhere safe.").check();
      await p.getByRole("button", { name: "I saved them" }).click();
      await p.waitForSelector('[data-testid="totp-state"][data-enabled="true"]');
      assert.equal(await p.locator("[data-code]").count(), 0, "recovery codes are shown once");
      assert.equal(await p.locator('[data-testid="codes-left"]').textContent(), "10");

      await openUserMenu(p);
      await p.getByRole("menuitem", { name: "Log out" }).click();
      // the login form, however the page got there (a live event may redirect it first)
      await p.locator('input[type="email"]').waitFor();
      assert.match(p.url(), /\/login/);
      await p.locator('input[type="email"]').fill(TFA.email);
      await p.locator('input[type="password"]').fill(TFA.password);
      await p.locator('button[type="submit"]').click();
      const code = p.getByLabel("Two-factor code");
      await code.waitFor();
      // a wrong code is refused under the field
      const now = totpStep();
      const valid = new Set([-2, -1, 0, 1, 2].map((d) => totp(secret, now + d)));
      await code.fill(["000000", "111111", "222222"].find((c) => !valid.has(c)));
      await p.locator('button[type="submit"]').click();
      await p.waitForSelector("text=The code is wrong or was already used");
      assert.equal(await code.getAttribute("aria-invalid"), "true");
      // a fresh code (a later step than the one used to enrol: a step never counts twice)
      await code.fill(totp(secret, Math.max(enrolStep + 1, totpStep())));
      await p.locator('button[type="submit"]').click();
      await p.waitForURL(/\/orders/);
      await p.waitForSelector("tr[data-order-id]");
      await ctx.close();
    });

    await t("an admin resets the user's lost second factor; they log in with the password alone", async () => {
      const ctx = await context(browser, { locale: "en" });
      const adm = await ctx.newPage();
      await login(adm, base, ADMIN.email, ADMIN.password);
      const id = await adm.evaluate(async (email) => (await (await fetch("/api/users?q=" + encodeURIComponent(email))).json()).items[0].id, TFA.email);
      await adm.goto(`${base}/users/detail?id=${id}`);
      await adm.waitForSelector('[data-testid="user-totp-state"][data-enabled="true"]');
      await adm.getByTestId("reset-totp").click();
      await adm.getByTestId("confirm").click();
      await adm.waitForSelector('[data-testid="user-totp-state"][data-enabled="false"]');
      assert.equal(await adm.getByTestId("reset-totp").count(), 0);
      const p = await (await context(browser, { locale: "en" })).newPage();
      await login(p, base, TFA.email, TFA.password);
      await p.waitForSelector("tr[data-order-id]");
      await p.context().close();
      await ctx.close();
    });

    await t("a role that requires two-factor sends its user to the set-up from any screen", async () => {
      const ctx = await context(browser, { locale: "en" });
      const admin = await ctx.newPage();
      await login(admin, base, ADMIN.email, ADMIN.password);
      const status = await admin.evaluate(async () => {
        const me = await (await fetch("/api/auth/me")).json();
        const roles = await (await fetch("/api/roles?page_size=100")).json();
        const role = roles.items.find((r) => r.name === "E2E must enrol");
        const r = await fetch(`/api/roles/${role.id}`, { method: "PATCH", headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token }, body: JSON.stringify({ require_totp: true }) });
        return r.status;
      });
      assert.equal(status, 200);
      await ctx.close();
      const ctx2 = await context(browser, { locale: "en" });
      const p = await ctx2.newPage();
      await p.goto(base + "/login?next=" + encodeURIComponent("/orders?status=paid"));
      await p.locator('input[type="email"]').fill(ENROL.email);
      await p.locator('input[type="password"]').fill(ENROL.password);
      await p.locator('button[type="submit"]').click();
      await p.waitForURL(/\/account\/two-factor$/);
      assert.match(await p.locator('[data-testid="totp-required"]').textContent(), /requires two-factor authentication/);
      await p.goto(base + "/audit");
      await p.waitForURL(/\/account\/two-factor$/);
      await p.waitForSelector('[data-testid="totp-start"]');
      await ctx2.close();
    });

    await t("the admin filters the audit log by that user, sees the enrolment, and exports CSV", async () => {
      const ctx = await context(browser, { locale: "en" });
      const p = await ctx.newPage();
      await login(p, base, ADMIN.email, ADMIN.password);
      await p.getByRole("link", { name: "Audit log" }).click();
      await p.waitForURL(/\/audit$/);
      await p.waitForSelector("tr[data-audit-id]");
      await p.getByRole("combobox", { name: "User" }).fill("totp.user");
      await p.getByRole("option", { name: new RegExp(TFA.email.replace(/\./g, "\\.")) }).click();
      await p.waitForURL(/actor_id=\d+/);
      const row = p.locator('tr[data-action="auth.totp_enable"]');
      await row.waitFor();
      const actors = await p.locator("tr[data-audit-id] [data-actor-id]").allTextContents();
      assert.ok(actors.length > 0 && actors.every((a) => a === TFA.email), actors.join());
      await row.locator('[data-testid="expand"]').click();
      const diff = p.locator('[data-testid="audit-details"] [data-field="totp"]');
      assert.equal(await diff.getAttribute("data-kind"), "changed");
      assert.match(await diff.textContent(), /Before\s*No.*After\s*Yes/s);
      // the filter offers the events by name in the current language
      assert.equal(await p.locator('select[name="action"] option[value="auth.totp_enable"]').textContent(), "Two-factor turned on");
      await p.locator('select[name="action"]').selectOption("auth.totp_enable");
      await p.waitForURL(/action=auth\.totp_enable/);
      await p.waitForFunction(() => [...document.querySelectorAll("tr[data-audit-id]")].every((r) => r.getAttribute("data-action") === "auth.totp_enable"));
      const href = await p.locator('[data-testid="audit-export"]').getAttribute("href");
      assert.match(href, /^\/api\/audit-logs\/export\?.*actor_id=\d+/);
      const [status, type, body] = await p.evaluate(async (h) => { const r = await fetch(h); return [r.status, r.headers.get("content-type"), await r.text()]; }, href);
      assert.equal(status, 200);
      assert.match(type, /^text\/csv/);
      const lines = body.trim().split(/\r?\n/);
      assert.equal(lines.length, 2, body);
      assert.match(lines[1], /auth\.totp_enable/);
      const [dl] = await Promise.all([p.waitForEvent("download"), p.locator('[data-testid="audit-export"]').click()]);
      assert.match(dl.suggestedFilename(), /^audit-log-.*\.csv$/);
      await ctx.close();
    });

    await t("a token made in the UI works for a script until it is revoked in the UI", async () => {
      const ctx = await context(browser, { locale: "en" });
      const p = await ctx.newPage();
      await login(p, base, ACCOUNT.email, ACCOUNT.password);
      await openUserMenu(p);
      await p.getByRole("menuitem", { name: "Account" }).click();
      await p.waitForURL(/\/account$/);
      await p.waitForSelector('[data-testid="tokens-empty"]');
      await p.getByRole("button", { name: "New token" }).click();
      const form = p.locator('[data-testid="token-create"]');
      await form.locator('input[type="checkbox"]').first().waitFor();
      // only what the user holds is offered
      assert.deepEqual((await form.locator('input[type="checkbox"]').evaluateAll((bs) => bs.map((b) => b.value))).sort(), ["audit.view", "orders.view"]);
      // the shared date picker, bounded to a year and a day from today
      assert.equal(await p.locator('[data-date-field="expires"]').getAttribute("data-max"), await p.evaluate(() => {
        const d = new Date(); d.setDate(d.getDate() + 366);
        return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
      }));
      await p.getByLabel("Name").fill("e2e script");
      await form.getByRole("checkbox", { name: /orders\.view/ }).check();
      await p.getByRole("button", { name: "Create token" }).click();
      const secret = await p.locator('[data-testid="token-secret"]').inputValue();
      assert.match(secret, /^pk_[A-Za-z0-9_-]{20,}$/);
      assert.match(await p.locator('[data-testid="token-secret-panel"] [role="alert"]').textContent(), /you will not see it again/);
      const orders = await fetch(base + "/api/orders?page_size=1", { headers: { Authorization: `Bearer ${secret}` } });
      assert.equal(orders.status, 200);
      assert.equal((await orders.json()).items.length, 1);
      // the token has only what it was given
      assert.equal((await fetch(base + "/api/audit-logs", { headers: { Authorization: `Bearer ${secret}` } })).status, 403);

      await p.getByRole("button", { name: "I copied it, close" }).click();
      assert.equal(await p.locator('[data-testid="token-secret"]').count(), 0, "the secret is shown once");
      assert.ok(!(await p.content()).includes(secret), "the secret is nowhere in the page any more");
      const row = p.locator("tr[data-token-id]", { hasText: "e2e script" });
      assert.equal(await row.getAttribute("data-status"), "active");
      assert.match(await row.textContent(), new RegExp(secret.slice(0, 9)));
      await row.getByRole("button", { name: "Revoke: e2e script" }).click();
      await p.getByRole("dialog").getByRole("button", { name: "Yes, revoke" }).click();
      await p.waitForSelector('tr[data-token-id][data-status="revoked"]');
      const after = await fetch(base + "/api/orders", { headers: { Authorization: `Bearer ${secret}` } });
      assert.equal(after.status, 401);
      assert.equal((await after.json()).code, "INVALID_TOKEN");
      await ctx.close();
    });

    await t("the sessions list shows this device, and ending a session there logs that browser out", async () => {
      const ctxA = await context(browser, { locale: "en" });
      const pa = await ctxA.newPage();
      await login(pa, base, ACCOUNT.email, ACCOUNT.password);
      const ctxB = await context(browser, { locale: "en" });
      const pb = await ctxB.newPage();
      await login(pb, base, ACCOUNT.email, ACCOUNT.password);
      await pa.goto(base + "/account");
      const mine = pa.locator("tr[data-session-id][data-current]");
      await mine.waitFor();
      assert.equal(await pa.locator('[data-testid="this-device"]').count(), 1);
      assert.match(await mine.textContent(), /This device/);
      assert.match(await mine.textContent(), /Chrome .* on Linux/);
      assert.equal(await pa.locator('[data-testid="sessions-all"]').count(), 0, "no all-users toggle without users.manage");
      // B logged in last: the newest session that is not this one
      const other = pa.locator("tr[data-session-id]:not([data-current])").first();
      const otherId = await other.getAttribute("data-session-id");
      await other.getByRole("button", { name: /^Revoke/ }).click();
      await pa.getByRole("dialog").getByRole("button", { name: "Yes, end it" }).click();
      await pa.waitForSelector(`tr[data-session-id="${otherId}"]`, { state: "detached" });
      assert.equal(await meStatus(pb), 401);
      // ending this device's own session leaves for the login page
      await mine.getByRole("button", { name: /^Revoke/ }).click();
      assert.match(await pa.getByRole("dialog").textContent(), /logs you out here/);
      await pa.getByRole("dialog").getByRole("button", { name: "Yes, end it" }).click();
      // the list is live now: its refetch may meet the 401 first and come back here after login
      await pa.waitForURL(/\/login(\?next=%2Faccount)?$/);
      assert.equal(await meStatus(pa), 401);
      await ctxA.close();
      await ctxB.close();
    });

    await t("an administrator sees every user's sessions with ?all=1, with a user column", async () => {
      const ctx = await context(browser, { locale: "en" });
      const p = await ctx.newPage();
      await login(p, base, ADMIN.email, ADMIN.password);
      await p.goto(base + "/account");
      await p.waitForSelector('[data-testid="this-device"]');
      await p.locator('[data-testid="sessions-all"]').click();
      await p.waitForURL(/\/account\?all=1$/);
      await p.waitForSelector("tr[data-session-id] [data-user-id]");
      const users = new Set(await p.locator("tr[data-session-id] [data-user-id]").allTextContents());
      assert.ok(users.has(ADMIN.email) && users.size > 1, [...users].join());
      await p.reload();
      assert.equal(await p.locator('[data-testid="sessions-all"]').isChecked(), true);
      await ctx.close();
    });

    await t("changing the password in the UI signs the other sessions out", async () => {
      const ctxB = await context(browser, { locale: "en" });
      const pb = await ctxB.newPage();
      await login(pb, base, ACCOUNT.email, ACCOUNT.password);
      const ctx = await context(browser, { locale: "en" });
      const p = await ctx.newPage();
      await login(p, base, ACCOUNT.email, ACCOUNT.password);
      await p.goto(base + "/account#password");
      await p.getByLabel("Current password").fill("not the password");
      await p.getByLabel("New password", { exact: true }).fill("a fresh e2e passphrase");
      await p.getByLabel("Repeat the new password").fill("a fresh e2e passphrase!");
      await p.getByRole("button", { name: "Change password" }).click();
      await p.waitForSelector("text=The two passwords do not match.");
      await p.getByLabel("Repeat the new password").fill("a fresh e2e passphrase");
      await p.getByRole("button", { name: "Change password" }).click();
      await p.waitForSelector("text=The current password is wrong.");
      await p.getByLabel("Current password").fill(ACCOUNT.password);
      await p.getByRole("button", { name: "Change password" }).click();
      await p.waitForSelector("text=other sessions were signed out");
      assert.equal(await meStatus(pb), 401);
      assert.equal(await meStatus(p), 200);
      const ctxC = await context(browser, { locale: "en" });
      const pc = await ctxC.newPage();
      await login(pc, base, ACCOUNT.email, "a fresh e2e passphrase");
      await Promise.all([ctx.close(), ctxB.close(), ctxC.close()]);
    });

    // People and access: a role made in the matrix, an invitation read off the screen, a password set
    // from the link, and the invited user's open screen following every change to their access live.
    const ROLE = "E2E desk";
    const ctxAdm = await context(browser, { locale: "en" });
    ctxAdm.on("page", watch);
    const adm = await ctxAdm.newPage();
    await login(adm, base, ADMIN.email, ADMIN.password);
    let roleId, inviteUrl, inviteeId, ctxU, u;
    const seeOrders = () => adm.getByRole("checkbox", { name: `${ROLE}: See orders, their items and history` });

    await t("the admin makes a role in the permission matrix; built-in roles are locked", async () => {
      await adm.getByRole("link", { name: "Roles & permissions" }).click();
      await adm.waitForURL(/\/roles$/);
      await adm.waitForSelector('[data-testid="matrix"] th[data-role="Viewer"][data-builtin="true"][data-editable="false"]');
      // of a built-in role only the two-factor rule is a control
      assert.deepEqual(await adm.locator('[data-testid="matrix"] input[data-cell^="Viewer|"]').evaluateAll((es) => es.map((e) => e.dataset.cell)), ["Viewer|require_totp"]);
      await adm.getByTestId("new-role").click();
      await adm.getByLabel("Role name").fill(ROLE);
      await adm.getByLabel("Description").fill("Reads orders and statistics");
      await adm.getByRole("button", { name: "Create role" }).click();
      const col = adm.locator(`th[data-role="${ROLE}"]`);
      await col.waitFor();
      roleId = (await col.getAttribute("id")).replace("role-col-", "");
      await seeOrders().check();
      await adm.getByRole("checkbox", { name: `${ROLE}: See the statistics dashboard` }).check();
      await adm.getByTestId(`save-role-${roleId}`).click();
      await adm.waitForSelector(`[data-testid="save-role-${roleId}"]`, { state: "detached" });
      await adm.reload();
      await seeOrders().waitFor();
      assert.equal(await seeOrders().isChecked(), true, "saved on the server");
      assert.equal(await adm.getByRole("checkbox", { name: `${ROLE}: Create orders` }).isChecked(), false);
    });

    await t("the admin invites a user with that role and reads the one-time link off the screen", async () => {
      await adm.getByRole("link", { name: "Users", exact: true }).click();
      await adm.waitForURL(/\/users$/);
      await adm.waitForSelector("tr[data-user-id]");
      await adm.getByRole("link", { name: "Invite user" }).click();
      await adm.waitForURL(/\/users\/new$/);
      await adm.getByLabel("Email").fill(INVITEE.email);
      await adm.getByLabel("Name", { exact: true }).fill(INVITEE.name);
      await adm.getByRole("checkbox", { name: ROLE, exact: true }).check();
      await adm.getByRole("button", { name: "Create invitation" }).click();
      const link = adm.getByTestId("invite-url");
      await link.waitFor();
      inviteUrl = await link.inputValue();
      assert.match(inviteUrl, new RegExp(`^${base.replace(/\./g, "\\.")}/invite\\?token=[A-Za-z0-9_-]{40,}$`));
      assert.match(await adm.getByTestId("invite-result").textContent(), /shown only this once/);
      await adm.goto(base + "/users?status=invited&q=invited.person");
      const row = adm.locator(`tr[data-email="${INVITEE.email}"]`);
      await row.waitFor();
      assert.equal(await row.locator("[data-user-status]").getAttribute("data-user-status"), "invited");
      assert.match(await row.textContent(), new RegExp(ROLE));
      inviteeId = await row.getAttribute("data-user-id");
    });

    await t("the invited user sets a password from the link (a common one is refused) and logs in", async () => {
      ctxU = await context(browser, { locale: "en" });
      ctxU.on("page", watch);
      u = await ctxU.newPage();
      await u.goto(inviteUrl);
      assert.equal(await u.getByTestId("invite-email").textContent(), INVITEE.email);
      await u.getByLabel("Password", { exact: true }).fill("password123");
      await u.getByLabel("Repeat the password").fill("password123");
      await u.getByRole("button", { name: "Set password" }).click();
      await u.waitForSelector("text=This is one of the most common passwords; choose another.");
      assert.equal(await u.getByLabel("Password", { exact: true }).getAttribute("aria-invalid"), "true");
      await u.getByLabel("Password", { exact: true }).fill(INVITEE.password);
      await u.getByLabel("Repeat the password").fill(INVITEE.password);
      await u.getByRole("button", { name: "Set password" }).click();
      await u.getByTestId("invite-done").waitFor();
      await u.getByRole("link", { name: "Go to the login page" }).click();
      await u.waitForURL(/\/login/);
      await login(u, base, INVITEE.email, INVITEE.password);
      // the role reads statistics: home is the dashboard
      await u.waitForSelector('[data-testid="dashboard"] [data-kpi="orders"]');
      assert.equal(new URL(u.url()).pathname, "/");
      assert.equal(await u.locator('aside a[href="/jobs"]').count(), 0);
      await u.locator('aside a[href="/orders"]').click();
      await u.waitForSelector("tr[data-order-id]");
      assert.equal(await u.locator('aside a[href="/orders"]').count(), 1);
      // the link worked once
      const again = await ctxU.newPage();
      await again.goto(inviteUrl);
      await again.getByTestId("invite-invalid").waitFor();
      await again.close();
    });

    await t("taking orders.view from the user's role in the matrix removes Orders from their open screen, no reload", async () => {
      await u.waitForSelector('[data-live="live"]');
      await u.evaluate(() => { window.__sameDocument = true; });
      await adm.goto(base + "/roles");
      await seeOrders().uncheck();
      await adm.getByTestId(`save-role-${roleId}`).click();
      await adm.waitForSelector(`[data-testid="save-role-${roleId}"]`, { state: "detached" });
      await u.locator('aside a[href="/orders"]').waitFor({ state: "detached", timeout: 5000 });
      await u.waitForSelector("text=You are not allowed to do that.", { timeout: 5000 });
      assert.equal(await u.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
    });

    await t("a role someone holds cannot be deleted, and the dialog says why", async () => {
      await adm.getByTestId(`delete-role-${roleId}`).click();
      assert.match(await adm.getByTestId("role-in-use").textContent(), /Users holding this role: 1\b/);
      assert.equal(await adm.getByTestId("confirm").count(), 0);
      await adm.getByRole("button", { name: "Close" }).click();
    });

    await t("giving the user Viewer on their page brings Orders back to their open screen", async () => {
      await adm.goto(`${base}/users/detail?id=${inviteeId}`);
      await adm.getByRole("checkbox", { name: /^Viewer/ }).check();
      await adm.getByRole("button", { name: "Save", exact: true }).click();
      await adm.waitForSelector("text=Changes saved.");
      await u.locator('aside a[href="/orders"]').waitFor({ timeout: 5000 });
      await u.waitForSelector("tr[data-order-id]", { timeout: 5000 });
      assert.equal(await u.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
      // the admin's own roles and status are not offered on their own page
      const me = await adm.evaluate(async () => (await (await fetch("/api/auth/me")).json()).id);
      await adm.goto(`${base}/users/detail?id=${me}`);
      await adm.getByTestId("user-edit").waitFor();
      assert.equal(await adm.getByTestId("deactivate").count(), 0);
      assert.match(await adm.getByTestId("roles-locked").textContent(), /can't change your own roles/);
    });

    await t("deactivating the user sends their open screen to the login page", async () => {
      await adm.goto(`${base}/users/detail?id=${inviteeId}`);
      await adm.getByTestId("deactivate").click();
      await adm.getByTestId("confirm").click();
      await adm.waitForSelector('[data-testid="user-status"] [data-user-status="inactive"]');
      await u.waitForURL(/\/login\?next=/, { timeout: 10000 });
      await ctxU.close();
      await ctxAdm.close();
    });

    await t("typing a date in the orders filter applies one whole-day filter and the field keeps it (fa Jalali, en)", async () => {
      // 1405-09-16 (Jalali) is 2026-12-07; en types month, day, year
      for (const [locale, label, keys, shown] of [["fa", "از تاریخ", "14050916", /۱۴۰۵.*۰?۹.*۱۶/], ["en", "From", "12072026", /12.*7.*2026/]]) {
        const ctx = await context(browser, { locale });
        const p = await ctx.newPage();
        await login(p, base, ADMIN.email, ADMIN.password);
        await p.goto(base + "/orders");
        await p.waitForSelector("tr[data-order-id]");
        const sent = [];
        p.on("request", (r) => { const u = new URL(r.url()); if (u.pathname === "/api/orders" && u.searchParams.has("created_from")) sent.push(u.searchParams.get("created_from")); });
        // the field loads when reached for and takes the focus to its first segment
        await p.getByLabel(label, { exact: true }).click();
        await p.waitForFunction(() => document.activeElement?.getAttribute("role") === "spinbutton");
        const field = p.getByRole("group", { name: label, exact: true }).first();
        await p.keyboard.type(keys, { delay: 60 });
        await p.waitForURL(/created_from=2026-12-07/);
        await sleep(1200);
        const start = await p.evaluate(() => new Date(2026, 11, 7).toISOString());
        assert.deepEqual([...new Set(sent)], [start], `${locale}: created_from sent ${sent.join()}`);
        assert.match(await field.textContent(), shown, `${locale}: the field shows the typed date`);
        await ctx.close();
      }
    });

    await t("phones (390 px): no screen scrolls sideways; navigation in a drawer (Escape closes, focus returns)", async () => {
      for (const locale of ["fa", "en"]) {
        const ctx = await context(browser, { locale, viewport: { width: 390, height: 844 } });
        const p = await ctx.newPage();
        await login(p, base, ADMIN.email, ADMIN.password);
        const wide = [];
        for (const path of ["/", "/orders", `/orders/detail?id=${orderId}`, "/orders/new", "/users", "/users/new", "/roles", "/audit", "/media", "/jobs", "/account", "/account/two-factor"]) {
          await p.goto(base + path);
          await p.waitForSelector("main h1", { timeout: 5000 }).catch(() => {});
          await sleep(400);
          const [sw, iw] = await p.evaluate(() => [document.scrollingElement.scrollWidth, innerWidth]);
          if (sw > iw) wide.push(`${path}: ${sw} > ${iw}`);
        }
        assert.deepEqual(wide, [], `${locale}: pages wider than the phone`);
        const drawer = p.getByTestId("nav-drawer");
        await p.getByTestId("nav-open").click();
        await drawer.locator('a[href="/orders"]').waitFor();
        for (let i = 0; i < 3; i++) await p.keyboard.press("Tab");
        assert.ok(await p.evaluate(() => document.querySelector('[data-testid="nav-drawer"]').contains(document.activeElement)), `${locale}: focus left the open drawer`);
        await p.keyboard.press("Escape");
        await p.waitForFunction(() => !document.querySelector('[data-testid="nav-drawer"]').open);
        assert.equal(await p.evaluate(() => document.activeElement?.getAttribute("data-testid")), "nav-open");
        await p.getByTestId("nav-open").click();
        await drawer.locator('a[href="/users"]').click();
        await p.waitForURL(/\/users$/);
        await p.waitForFunction(() => !document.querySelector('[data-testid="nav-drawer"]').open);
        await ctx.close();
      }
    });

    await t("tablets (768×1024): no main screen scrolls sideways, in fa and en", async () => {
      for (const locale of ["fa", "en"]) {
        const ctx = await context(browser, { locale, viewport: { width: 768, height: 1024 } });
        const p = await ctx.newPage();
        await login(p, base, ADMIN.email, ADMIN.password);
        const wide = [];
        for (const path of ["/", "/orders", `/orders/detail?id=${orderId}`, "/orders/new", "/users", "/users/new", "/roles", "/audit", "/media", "/jobs", "/account", "/account/two-factor"]) {
          await p.goto(base + path);
          await p.waitForSelector("main h1", { timeout: 5000 }).catch(() => {});
          await sleep(400);
          const [sw, iw] = await p.evaluate(() => [document.scrollingElement.scrollWidth, innerWidth]);
          if (sw > iw) wide.push(`${path}: ${sw} > ${iw}`);
        }
        assert.deepEqual(wide, [], `${locale}: pages wider than the tablet`);
        await ctx.close();
      }
    });

    await t("after Retry brings a list back, focus is on the list, not the top of the page", async () => {
      const ctx = await context(browser, { locale: "en" });
      const p = await ctx.newPage();
      await login(p, base, ADMIN.email, ADMIN.password);
      await p.route("**/api/orders?*", (r) => r.abort("connectionrefused"));
      await p.goto(base + "/orders");
      const retry = p.getByRole("button", { name: "Try again" });
      await retry.waitFor({ timeout: 15000 });
      await p.unroute("**/api/orders?*");
      await retry.focus();
      await p.keyboard.press("Enter");
      await p.waitForSelector("tr[data-order-id]");
      await p.waitForFunction(() => document.activeElement && document.activeElement !== document.body);
      assert.equal(await p.evaluate(() => document.activeElement.getAttribute("role")), "region");
      assert.ok(await p.evaluate(() => document.activeElement.contains(document.querySelector("tr[data-order-id]"))), "focus is on the orders table");
      await ctx.close();
    });

    await t("the user menu loading late does not take focus from the field the user is typing in", async () => {
      const ctx = await context(browser, { locale: "en" });
      const p = await ctx.newPage();
      await login(p, base, ADMIN.email, ADMIN.password);
      await p.goto(base + "/orders");
      await p.waitForSelector("tr[data-order-id]");
      // every script fetched from now on (the menu's chunk among them) arrives 1.5 s late
      await p.route("**/_next/static/chunks/**", async (r) => { await sleep(1500); await r.fallback(); });
      // the keyboard passes over the menu's stand-in (which starts loading the real menu), then moves on to the search box
      await p.getByRole("button", { name: /, user menu$/ }).focus();
      await p.locator('input[name="q"]').focus();
      await p.keyboard.type("ORD-00", { delay: 80 });
      await p.waitForSelector('button[aria-label$=", user menu"][data-state]', { timeout: 10000 });
      await p.keyboard.type("01", { delay: 80 });
      assert.equal(await p.evaluate(() => document.activeElement?.getAttribute("name")), "q");
      assert.equal(await p.locator('input[name="q"]').inputValue(), "ORD-0001");
      await ctx.close();
    });

    await t("fa renders right-to-left with Persian digits and Jalali dates; en left-to-right", async () => {
      const ctx = await context(browser, { locale: "fa" });
      const p = await ctx.newPage();
      await login(p, base, ADMIN.email, ADMIN.password);
      // the dashboard: the chart's first day on the right, its days Jalali in Persian digits
      await p.waitForSelector('[data-testid="series-chart"] rect[data-day]');
      const [firstX, lastX] = await p.locator('[data-testid="series-chart"] rect[data-day]').evaluateAll((rs) => [rs[0], rs[rs.length - 1]].map((r) => r.getBoundingClientRect().x));
      assert.ok(firstX > lastX, `first day at ${firstX}, last at ${lastX}`);
      assert.match(await p.locator("[data-axis-day]").first().textContent(), /^[۰-۹]+ \S+$/);
      assert.match(await p.locator('[data-kpi="orders"] [data-testid="kpi-value"]').textContent(), /^[۰-۹٬]+$/);
      await p.goto(base + "/orders");
      await p.waitForSelector("tr[data-order-id]");
      assert.equal(await p.evaluate(() => document.documentElement.dir), "rtl");
      assert.equal(await p.evaluate(() => document.documentElement.lang), "fa");
      const date = await p.locator("tr[data-order-id] td").last().textContent();
      assert.match(date, /۱۴۰[۴۵]/, `Jalali year with Persian digits expected, got ${date}`);
      assert.equal(await a.evaluate(() => document.documentElement.dir), "ltr");
      assert.match(await a.locator("body").textContent(), /2026|2025/);
      await ctx.close();
    });

    // the media library: uploads, live statuses, details, deletes (e2e/media.mjs)
    if (!only || only.test(`[${mode}] media:`)) await mediaChecks({ t, base, browser, watch, ADMIN, production: mode === "postgres+redis" });
    // the content wave: workflow across two users, the public API, 412 merge, scheduling, reordering (e2e/content.mjs)
    if (!only || only.test(`[${mode}] content:`)) await contentChecks({ t, base, browser, watch, ADMIN });
    // the chatbot's inbox: a visitor over the public API, an agent in the browser, the live unread badge (e2e/chat.mjs)
    if (!only || only.test(`[${mode}] chat:`)) await chatChecks({ t, base, browser, watch, ADMIN });
    // the website's chat widget under a strict CSP on another origin (e2e/widget.mjs)
    if (!only || only.test(`[${mode}] widget:`)) await widgetChecks({ t, base, browser, ADMIN, sitePort });

    await t("axe finds no serious or critical violation on any screen (fa and en, light and dark)", async () => {
      const ids = await a.evaluate(async () => ({
        user: (await (await fetch("/api/users?page_size=1")).json()).items[0].id,
        job: (await (await fetch("/api/jobs?page_size=1")).json()).items[0]?.id,
        media: (await (await fetch("/api/media?page_size=1")).json()).items?.[0]?.id,
      }));
      const screens = [
        ["/", '[data-testid="series-chart"] rect[data-day]'],
        ["/orders", "tr[data-order-id]"],
        [`/orders/detail?id=${orderId}`, '[data-testid="history"] li'],
        ["/orders/new", "form"],
        ["/users", "tr[data-user-id]"],
        ["/users/new", "[data-role-option]"],
        [`/users/detail?id=${ids.user}`, '[data-testid="user-edit"]'],
        ["/roles", '[data-testid="matrix"] th[data-role]'],
        ["/audit", "tr[data-audit-id]"],
        ["/media", '[data-testid="media-grid"] li, p[data-testid="media-empty"]'],
        ...(ids.media ? [[`/media/detail?id=${ids.media}`, "main h1"]] : []),
        ["/jobs", "tr[data-job-id]"],
        ["/chat", '[data-testid="chat-table"][aria-busy="false"]'],
        ["/faq", '[data-testid="faq-table"][aria-busy="false"]'],
        ...(ids.job ? [[`/jobs/detail?id=${ids.job}`, '[data-testid="job-detail"]']] : []),
        ["/account", '[data-testid="this-device"]'],
        ["/account/two-factor", '[data-testid="totp-state"]'],
        ["/no/such/page", "main, h1"],
      ];
      const found = [];
      for (const locale of ["fa", "en"]) {
        for (const theme of ["light", "dark"]) {
          const ctx = await context(browser, { locale, theme });
          const p = await ctx.newPage();
          await p.goto(base + "/login");
          await p.waitForSelector("form");
          for (const v of await auditScreens(p, base, [["/login", "form"]])) found.push(`${locale}/${theme} ${v}`);
          await login(p, base, ADMIN.email, ADMIN.password);
          for (const v of await auditScreens(p, base, screens)) found.push(`${locale}/${theme} ${v}`);
          await ctx.close();
        }
      }
      assert.equal(found.length, 0, `${found.length} violations: ${found.join(" || ")}`);
    });

    await t("logging out ends the session", async () => {
      await a.goto(base + "/orders");
      await a.getByRole("button", { name: /, user menu$/ }).click();
      await a.getByRole("menuitem", { name: "Log out" }).click();
      await a.waitForURL(/\/login/);
      assert.equal(await meStatus(a), 401);
    });

    await t("an unknown page shows the not-found page with status 404", async () => {
      const r = await a.goto(base + "/no/such/page");
      assert.equal(r.status(), 404);
      await a.waitForSelector("text=404");
    });
    await sentryChecks({ t, base, browser, watch, receiver: sentry });

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
  sentry.stop();
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
