// Screenshots of the main screens in fa/en × light/dark, for people to look at.
// Usage: node e2e/screens.mjs BASE_URL EMAIL PASSWORD OUTDIR
import { mkdirSync } from "node:fs";
import { context, launch, login } from "./browser.mjs";

const [base, email, password, out = "screenshots"] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await launch();
try {
  for (const locale of ["fa", "en"]) {
    for (const theme of ["light", "dark"]) {
      const ctx = await context(browser, { locale, theme });
      const page = await ctx.newPage();
      const shot = async (name) => page.screenshot({ path: `${out}/${name}-${locale}-${theme}.png`, fullPage: true });
      await page.goto(base + "/login");
      await page.waitForSelector("form");
      await shot("login");
      await login(page, base, email, password);
      await page.waitForSelector("tr[data-order-id]");
      await shot("orders");
      await page.goto(base + "/orders?status=shipped&sort=-total&page_size=10");
      await page.waitForSelector("tr[data-order-id]");
      await shot("orders-filtered");
      const id = await page.locator("tr[data-order-id]").first().getAttribute("data-order-id");
      await page.goto(`${base}/orders/detail?id=${id}`);
      await page.waitForSelector('[data-testid="history"] li');
      await shot("detail");
      await page.goto(base + "/orders/new");
      await page.waitForSelector("form");
      await page.locator('button[type="submit"]').click();
      await page.waitForTimeout(300);
      await shot("create-errors");
      await page.goto(base + "/no/such/page");
      await page.waitForTimeout(500);
      await shot("notfound");
      await ctx.close();
    }
  }
} finally {
  await browser.close();
}
