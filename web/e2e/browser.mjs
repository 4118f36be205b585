// Launches Debian's Chromium through playwright-core (never a downloaded
// browser) with the flags this sandbox needs.
import { chromium } from "playwright-core";
// chromium.launch gives every run a fresh, temporary user data dir.
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** A browser context with a saved language and theme. */
export async function context(browser, { locale = "fa", theme = "light", viewport = { width: 1280, height: 860 } } = {}) {
  const ctx = await browser.newContext({ viewport });
  await ctx.addInitScript(([l, t]) => {
    if (!sessionStorage.getItem("pishkhan.e2e.init")) {
      localStorage.setItem("pishkhan.locale", l);
      localStorage.setItem("pishkhan.theme", t);
      sessionStorage.setItem("pishkhan.e2e.init", "1");
    }
  }, [locale, theme]);
  return ctx;
}

export async function login(page, base, email, password) {
  await page.goto(base + "/login");
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  // home is the dashboard for users with stats.view; everyone else is sent on to the orders list
  await page.waitForFunction(() => location.pathname !== "/login" && (location.pathname !== "/" || document.querySelector('[data-testid="dashboard"]')));
}
