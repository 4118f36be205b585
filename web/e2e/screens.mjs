// Screenshots of the main screens in fa/en × light/dark, at desktop sizes and
// on a phone (390×844), for people to look at.
// Usage: node e2e/screens.mjs BASE_URL EMAIL PASSWORD OUTDIR
import { mkdirSync } from "node:fs";
import { context, launch, login } from "./browser.mjs";
import { chatScreens } from "./chat.mjs";
import { contentScreens } from "./content.mjs";
import { mediaScreens } from "./media.mjs";

const [base, email, password, out = "screenshots"] = process.argv.slice(2);
// SCREENS_ONLY=a11y: only the confirmation, toast, skip link and unreachable-server shots;
// SCREENS_ONLY=phone: only the phone-sized ones (390×844);
// SCREENS_ONLY=content: only the content screens at 1366×768 and 390×844 (e2e/content.mjs)
// SCREENS_ONLY=chat: only the chat inbox (a conversation open) and the FAQ screen, at 1366×768 and 390×844 (e2e/chat.mjs)
const only = process.env.SCREENS_ONLY;

/** Cancel's confirmation, an error toast, the skip link focused and the dashboard when the server is unreachable. */
async function a11yScreens(page, base, shot) {
  await page.goto(base + "/orders?status=paid");
  await page.waitForSelector("tr[data-order-id]");
  const paid = await page.locator("tr[data-order-id]").first().getAttribute("data-order-id");
  await page.goto(`${base}/orders/detail?id=${paid}`);
  await page.waitForSelector('[data-transition="cancelled"]');
  await page.locator('[data-transition="cancelled"]').click();
  await page.waitForSelector("dialog[open]");
  await shot("detail-cancel-dialog");
  await page.keyboard.press("Escape");
  // an error toast, the server's failure stood in for (nothing changes)
  await page.route("**/api/orders/*/status", (r) => r.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ status: "error", code: "INTERNAL", message: "x", request_id: "req-7f3a" }) }));
  await page.locator('[data-transition="processing"]').click();
  await page.waitForSelector('[data-testid="toast"]');
  await shot("toast");
  await page.unroute("**/api/orders/*/status");
  await page.goto(base + "/orders");
  await page.waitForSelector("tr[data-order-id]");
  await page.keyboard.press("Tab");
  await page.waitForSelector('[data-testid="skip-link"]:focus');
  await page.screenshot({ path: shot.path("skip-link") });
  await page.route("**/api/**", (r) => r.abort("connectionrefused"));
  await page.goto(base + "/");
  await page.waitForSelector('[data-testid="home-error"]');
  await shot("dashboard-unreachable");
  await page.unroute("**/api/**");
}
/** The main screens on a phone (390×844): named NAME-phone-LOCALE-THEME.png, and the navigation drawer open. */
async function phoneScreens(page, base, out, locale, theme) {
  await page.setViewportSize({ width: 390, height: 844 });
  const ids = await page.evaluate(async () => {
    const first = async (u) => (await (await fetch(u)).json()).items?.[0]?.id;
    return { order: await first("/api/orders?page_size=1"), user: await first("/api/users?page_size=1"), media: await first("/api/media?page_size=1") };
  });
  const screens = [
    ["dashboard", "/"], ["orders", "/orders"], ["detail", `/orders/detail?id=${ids.order}`], ["create", "/orders/new"],
    ["users", "/users"], ["user-detail", `/users/detail?id=${ids.user}`], ["roles", "/roles"], ["audit", "/audit"],
    ["media", "/media"], ...(ids.media ? [["media-detail", `/media/detail?id=${ids.media}`]] : []), ["jobs", "/jobs"],
    ["account", "/account"], ["two-factor", "/account/two-factor"],
  ];
  for (const [name, path] of screens) {
    await page.goto(base + path);
    await page.waitForSelector("main h1", { timeout: 5000 }).catch(() => {});
    await page.waitForLoadState("networkidle").catch(() => {});
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${out}/${name}-phone-${locale}-${theme}.png`, fullPage: true });
  }
  await page.getByTestId("nav-open").click();
  await page.waitForSelector('[data-testid="nav-drawer"][open] a');
  await page.screenshot({ path: `${out}/nav-drawer-phone-${locale}-${theme}.png` });
  await page.keyboard.press("Escape");
  await page.setViewportSize({ width: 1280, height: 860 });
}
mkdirSync(out, { recursive: true });
const browser = await launch();
try {
  for (const locale of ["fa", "en"]) {
    for (const theme of ["light", "dark"]) {
      const ctx = await context(browser, { locale, theme });
      const page = await ctx.newPage();
      const shot = async (name) => page.screenshot({ path: shot.path(name), fullPage: true });
      shot.path = (name) => `${out}/${name}-${locale}-${theme}.png`;
      await page.goto(base + "/login");
      await page.waitForSelector("form");
      await shot("login");
      await login(page, base, email, password);
      if (only === "phone") {
        await phoneScreens(page, base, out, locale, theme);
        await ctx.close();
        continue;
      }
      if (only === "content") {
        await contentScreens(page, base, shot);
        await ctx.close();
        continue;
      }
      if (only === "chat") {
        await chatScreens(page, base, shot);
        await ctx.close();
        continue;
      }
      if (only === "a11y") {
        await a11yScreens(page, base, shot);
        await ctx.close();
        continue;
      }
      // home: the dashboard, for a user who may see statistics (at 1280, a desktop and a laptop screen)
      if (new URL(page.url()).pathname === "/") {
        await page.waitForSelector('[data-testid="series-chart"] rect[data-day]');
        await page.waitForSelector('[data-recent-order], [data-testid="recent-orders"] p');
        await shot("dashboard");
        for (const [width, height] of [[1920, 1080], [1366, 768]]) {
          await page.setViewportSize({ width, height });
          await page.waitForTimeout(300);
          await page.screenshot({ path: `${out}/dashboard-${width}x${height}-${locale}-${theme}.png`, fullPage: true });
        }
        await page.setViewportSize({ width: 1280, height: 860 });
        // a year, with one day's figures under the pointer
        await page.goto(base + "/?range=365d");
        await page.waitForSelector('[data-testid="series-chart"][data-days="365"]');
        await page.locator('[data-testid="series-chart"] rect[data-day]').nth(300).hover({ force: true });
        await page.waitForSelector('[data-testid="chart-tooltip"]');
        await shot("dashboard-365d");
        await page.goto(base + "/?range=7d");
        await page.waitForSelector('[data-testid="series-chart"][data-days="7"]');
        await shot("dashboard-7d");
      }
      await page.goto(base + "/orders");
      await page.waitForSelector("tr[data-order-id]");
      await shot("orders");
      // two orders selected, a new status chosen: the bulk bar over the table
      await page.locator("tr[data-order-id] input[data-select]").nth(0).check();
      await page.locator("tr[data-order-id] input[data-select]").nth(1).check();
      await page.locator('[data-testid="bulk-status"]').selectOption("cancelled");
      await page.screenshot({ path: shot.path("orders-selected") });
      await page.goto(base + "/users");
      await page.waitForSelector("tr[data-user-id]");
      await page.locator("tr[data-user-id] input[data-select]").nth(1).check();
      await page.locator("tr[data-user-id] input[data-select]").nth(2).check();
      await page.screenshot({ path: shot.path("users-selected") });
      await page.goto(base + "/orders?status=shipped&sort=-total&page_size=10");
      await page.waitForSelector("tr[data-order-id]");
      await shot("orders-filtered");
      const id = await page.locator("tr[data-order-id]").first().getAttribute("data-order-id");
      await page.goto(`${base}/orders/detail?id=${id}`);
      await page.waitForSelector('[data-testid="history"] li');
      await shot("detail");
      await a11yScreens(page, base, shot);
      await page.goto(base + "/orders/new");
      await page.waitForSelector("form");
      await page.locator('button[type="submit"]').click();
      await page.waitForTimeout(300);
      await shot("create-errors");
      await page.goto(base + "/audit");
      await page.waitForSelector("tr[data-audit-id]");
      await shot("audit");
      // the newest row that changed fields, opened to its diff
      const changed = page.locator('tr[data-audit-id]:not([data-changes="0"])').first();
      if (await changed.count()) {
        await changed.locator('[data-testid="expand"]').click();
        await page.waitForSelector('[data-testid="audit-details"]');
        await shot("audit-expanded");
      }
      await page.goto(base + "/audit?action=no.such.action");
      await page.waitForSelector('[data-testid="audit-empty"]');
      await shot("audit-empty");
      // the media library: grid, list, an upload mid-way, bulk delete, details (e2e/media.mjs)
      await mediaScreens(page, ctx, base, shot, out, locale, theme);
      // the account page: tokens, sessions, password
      await page.goto(base + "/account");
      await page.waitForSelector('[data-testid="this-device"]');
      await page.waitForSelector('tr[data-token-id], [data-testid="tokens-empty"]');
      await shot("account");
      // a new token: the form with its client-side errors, then the secret shown once
      await page.locator('[data-testid="token-new"]').click();
      const form = page.locator('[data-testid="token-create"]');
      await form.locator('input[type="checkbox"]').first().waitFor();
      await form.locator('button[type="submit"]').click();
      await page.waitForTimeout(300);
      await shot("account-token-form");
      await form.locator('input[name="name"]').fill(locale === "fa" ? "اسکریپت گزارش روزانه" : "daily report script");
      await form.locator('input[type="checkbox"]').first().check();
      await form.locator('button[type="submit"]').click();
      await page.waitForSelector('[data-testid="token-secret"]');
      await shot("account-token-secret");
      await page.locator('[data-testid="token-secret-panel"] button').last().click();
      await page.locator('[data-testid="token-revoke"]').first().click();
      await page.waitForSelector("dialog[open]");
      // the viewport only: a modal dialog is drawn over what is on screen
      await page.screenshot({ path: `${out}/account-token-revoke-${locale}-${theme}.png` });
      await page.keyboard.press("Escape");
      if (await page.locator('[data-testid="sessions-all"]').count()) {
        await page.locator('[data-testid="sessions-all"]').click();
        await page.waitForURL(/all=1/);
        await page.waitForSelector("tr[data-session-id] [data-user-id]");
        await shot("account-sessions-all");
      }
      await page.locator('input[name="next"]').fill("a long new password");
      await page.locator('input[name="confirm"]').fill("a long new passwort");
      await page.locator('[data-testid="password-form"] button[type="submit"]').click();
      await page.waitForTimeout(300);
      await shot("account-password-errors");
      await page.goto(base + "/account/two-factor");
      await page.waitForSelector('[data-testid="totp-state"]');
      await shot("two-factor");
      if (await page.locator('[data-testid="totp-start"]').count()) {
        // starting asks for the password again; the set-up turns nothing on until a code is confirmed
        await page.locator('[data-testid="totp-start"]').click();
        await page.waitForTimeout(300);
        await shot("two-factor-start-errors");
        await page.locator('[data-testid="totp-start-password"]').fill(password);
        await page.locator('[data-testid="totp-start"]').click();
        await page.waitForSelector('[data-testid="totp-enrol"] svg');
        await shot("two-factor-setup");
      }
      // people and access: users, an invitation with its one-time link, a user, the roles matrix, the invite page
      await page.goto(base + "/users");
      await page.waitForSelector("tr[data-user-id]");
      await shot("users");
      await page.goto(base + "/users?q=no-such-person");
      await page.waitForSelector('[data-testid="users-empty"]');
      await shot("users-empty");
      let inviteUrl = "";
      await page.goto(base + "/users/new");
      await page.waitForSelector('[data-role-option], main [role="alert"]');
      if (await page.locator("[data-role-option]").first().count()) {
        await page.locator('button[type="submit"]').click();
        await page.waitForTimeout(300);
        await shot("users-invite-errors");
        const invitee = `screens.${locale}.${theme}.${Date.now()}@example.com`;
        await page.locator('input[type="email"]').fill(invitee);
        await page.locator('input[name="name"]').fill(locale === "fa" ? "مریم احمدی" : "Maryam Ahmadi");
        await page.locator('[data-role-option][data-grantable="true"] input').last().check();
        await shot("users-invite");
        await page.locator('button[type="submit"]').click();
        await page.waitForSelector('[data-testid="invite-result"]');
        await shot("users-invite-link");
        inviteUrl = await page.locator('[data-testid="invite-url"]').inputValue().catch(() => "");
        await page.goto(base + "/users?status=invited&q=" + encodeURIComponent(invitee));
        await page.waitForSelector("tr[data-user-id]");
        const uid = await page.locator("tr[data-user-id]").first().getAttribute("data-user-id");
        await page.goto(`${base}/users/detail?id=${uid}`);
        await page.waitForSelector('[data-testid="user-edit"]');
        await shot("user-detail");
        await page.locator('[data-testid="deactivate"]').click();
        await page.waitForSelector("dialog[open]");
        await page.screenshot({ path: `${out}/user-deactivate-${locale}-${theme}.png` });
        await page.keyboard.press("Escape");
        // someone else saved the user meanwhile: the server's 412, stood in for here
        await page.route("**/api/users/*", (route) => route.request().method() === "PATCH"
          ? route.fulfill({ status: 412, contentType: "application/json", body: JSON.stringify({ status: "error", code: "PRECONDITION_FAILED", message: "stale", request_id: "screens" }) })
          : route.fallback());
        await page.locator('[data-testid="user-edit"] input[name="name"]').fill(locale === "fa" ? "مریم احمدی‌نژاد" : "Maryam Ahmadi-Nejad");
        await page.locator('[data-testid="user-edit"] button[type="submit"]').click();
        await page.waitForSelector('[data-testid="user-stale"]');
        await shot("user-detail-stale");
        await page.unroute("**/api/users/*");
      }
      // a user with a second factor: the admin's reset and its confirmation
      const withTOTP = await page.evaluate(async () => {
        const me = await (await fetch("/api/auth/me")).json();
        const list = await (await fetch("/api/users?page_size=100")).json();
        return list.items?.find((u) => u.totp_enabled && u.id !== me.id && !u.is_superuser)?.id ?? 0;
      });
      if (withTOTP) {
        await page.goto(`${base}/users/detail?id=${withTOTP}`);
        await page.waitForSelector('[data-testid="reset-totp"]');
        await shot("user-detail-totp");
        await page.locator('[data-testid="reset-totp"]').click();
        await page.waitForSelector("dialog[open]");
        await page.screenshot({ path: `${out}/user-totp-reset-${locale}-${theme}.png` });
        await page.keyboard.press("Escape");
      }
      await page.goto(base + "/roles");
      await page.waitForSelector('[data-testid="matrix"] th[data-role]');
      await shot("roles");
      // a built-in role's two-factor rule, changed and not yet saved
      await page.locator('[data-testid="matrix"] input[data-cell="Viewer|require_totp"]').click();
      await page.waitForSelector('[data-testid^="save-role-"]');
      await page.screenshot({ path: `${out}/roles-builtin-totp-${locale}-${theme}.png` });
      await page.locator('[data-testid^="discard-role-"]').first().click();
      // a laptop screen: the header row and the permission column stay put while the matrix scrolls
      await page.setViewportSize({ width: 1366, height: 768 });
      await page.waitForTimeout(200);
      await page.screenshot({ path: `${out}/roles-1366x768-${locale}-${theme}.png` });
      const editable = page.locator('[data-testid="matrix"] input[data-cell]:not([data-cell$="|require_totp"]):not(:disabled)');
      if (await editable.count()) {
        await editable.nth(2).click(); // an unsaved change: its cell and the role's Save button
        await page.locator('[data-testid="matrix"]').evaluate((m) => { m.scrollTop = 260; m.scrollLeft = m.scrollWidth * (document.dir === "rtl" ? -1 : 1); });
        await page.waitForTimeout(200);
        await page.screenshot({ path: `${out}/roles-1366x768-scrolled-${locale}-${theme}.png` });
        await page.locator('[data-testid^="discard-role-"]').first().click(); // nothing unsaved left to warn about
      }
      await page.setViewportSize({ width: 1280, height: 860 });
      // the job queue: the list, a laptop screen, one job
      if (await page.locator('aside a[href="/jobs"]').count()) {
        await page.goto(base + "/jobs");
        await page.waitForSelector('tr[data-job-id], [data-testid="jobs-empty"]');
        await shot("jobs");
        await page.setViewportSize({ width: 1366, height: 768 });
        await page.waitForTimeout(200);
        await page.screenshot({ path: `${out}/jobs-1366x768-${locale}-${theme}.png`, fullPage: true });
        await page.setViewportSize({ width: 1280, height: 860 });
        // the failed tab with a long error in its last column (stood in for: a healthy server has no failed jobs)
        await page.route("**/api/jobs?*", async (route) => {
          const res = await route.fetch({ url: base + "/api/jobs?page_size=2" });
          const real = await res.json();
          const failed = real.items.slice(0, 2).map((j, i) => ({ ...j, state: i ? "discarded" : "retryable", attempt: i ? j.max_attempts : 2,
            errors: [{ attempt: 1, at: j.created_at, error: "stats: reconcile 2026-11-27: database is locked (5) (SQLITE_BUSY); the statement was retried and gave up", kind: "busy" }] }));
          await route.fulfill({ response: res, json: { ...real, items: failed, total: failed.length, total_pages: 1 } });
        });
        await page.goto(base + "/jobs?state=failed");
        await page.waitForSelector('[data-testid="job-error"]');
        await shot("jobs-failed");
        await page.unroute("**/api/jobs?*");
        const job = await page.locator("tr[data-job-id]").first().getAttribute("data-job-id").catch(() => null);
        if (job) {
          await page.goto(`${base}/jobs/detail?id=${job}`);
          await page.waitForSelector('[data-testid="job-detail"]');
          await shot("job-detail");
          // a job that failed twice and will retry (stood in for here: a healthy server has none), and the retry's confirmation
          await page.route(`**/api/jobs/${job}`, async (route) => {
            const res = await route.fetch();
            const real = await res.json();
            const at = (m) => new Date(Date.now() - m * 60_000).toISOString();
            await route.fulfill({ response: res, json: { ...real, state: "retryable", attempt: 2, finalized_at: null, scheduled_at: at(-3), args: { days: 3, reason: "screens" },
              errors: [{ attempt: 1, at: at(4), error: "stats: reconcile 2026-11-27: database is locked (5) (SQLITE_BUSY)", kind: "busy" },
                { attempt: 2, at: at(1), error: "context deadline exceeded\ngithub.com/pishkhan/pishkhan/internal/stats.(*Service).Rebuild\n\tinternal/stats/service.go:190", kind: "timeout" }] } });
          });
          await page.reload();
          await page.waitForSelector('[data-testid="job-retry"]');
          await shot("job-detail-failed");
          await page.locator('[data-testid="job-retry"]').click();
          await page.waitForSelector("dialog[open]");
          await page.screenshot({ path: `${out}/job-retry-confirm-${locale}-${theme}.png` });
          await page.keyboard.press("Escape");
          await page.unroute(`**/api/jobs/${job}`);
        }
      }
      if (inviteUrl) {
        await page.goto(inviteUrl);
        await page.waitForSelector('[data-testid="set-password"]');
        await shot("invite");
        await page.locator('input[name="password"]').fill("a long enough passphrase");
        await page.locator('input[name="confirm"]').fill("a long enough passphrasf");
        await page.locator('[data-testid="set-password"] button[type="submit"]').click();
        await page.waitForTimeout(300);
        await shot("invite-errors");
      }
      await page.goto(base + "/invite?token=no-such-token");
      await page.waitForSelector('[data-testid="invite-invalid"]');
      await shot("invite-invalid");
      await page.goto(base + "/no/such/page");
      await page.waitForTimeout(500);
      await shot("notfound");
      await phoneScreens(page, base, out, locale, theme);
      await ctx.close();
    }
  }
} finally {
  await browser.close();
}
