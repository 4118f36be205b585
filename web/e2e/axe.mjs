// Accessibility audit with axe-core (pinned in package.json): every screen,
// in fa and en, light and dark, must have no serious or critical violation.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * The serious and critical axe violations on the page as it is now, one line each
 * ("rule: target (summary)"). WCAG 2.x A and AA rules and axe's best practices.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    resultTypes: ["violations"],
  }));
  const out = [];
  for (const v of result.violations) {
    if (v.impact !== "serious" && v.impact !== "critical") continue;
    for (const n of v.nodes) out.push(`${v.id}: ${n.target.join(" ")} (${(n.failureSummary || "").replace(/\s+/g, " ").slice(0, 160)})`);
  }
  return out;
}

/**
 * Opens each screen (path → a selector that says it has rendered) and collects
 * the serious and critical violations, each prefixed with the screen's path.
 */
export async function auditScreens(page, base, screens) {
  const found = [];
  for (const [path, ready] of screens) {
    await page.goto(base + path);
    await page.waitForSelector(ready, { timeout: 10000 });
    // the fonts and late parts (the user menu) in place
    await page.evaluate(() => document.fonts.ready);
    await page.waitForTimeout(150);
    for (const v of await axeViolations(page)) found.push(`${path}: ${v}`);
  }
  return found;
}
