// The chatbot's panel screens end to end (issue 17, the inbox half): a visitor starts a conversation
// over the public API with fetch (as the widget does) and asks for a person; in the browser an agent
// sees the sidebar's unread badge change live, opens the conversation, sees a new visitor message
// arrive without a reload, takes it, replies (the visitor's transcript has the reply) and resolves it.
// Called from run.mjs for each mode; chatScreens takes the screenshots for screens.mjs.
import assert from "node:assert/strict";
import { context, login } from "./browser.mjs";

/** A website visitor over the public chat API (no session, the conversation's token only). */
export async function visitor(base, lang = "en") {
  const r = await fetch(base + "/api/public/v1/chat/conversations", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ lang }) });
  assert.equal(r.status, 201, `start: ${r.status} ${await r.clone().text()}`);
  const { id, token } = await r.json();
  const call = async (method, path, body) => {
    const res = await fetch(`${base}/api/public/v1/chat/conversations/${id}${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, body: json ?? text };
  };
  return {
    id,
    say: async (text) => {
      const res = await call("POST", "/messages", { text });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id;
    },
    /** Asks for a person; a conversation the bot already handed over (not confident) is waiting already. */
    handoff: async () => {
      const res = await call("POST", "/handoff");
      assert.ok(res.status === 200 || (res.status === 409 && res.body.details?.from === "waiting"), JSON.stringify(res.body));
    },
    transcript: async () => {
      const res = await call("GET", "");
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    },
  };
}

const badge = (page) => page.locator('[data-testid="chat-unread"]').first();
const badgeCount = async (page) => ((await badge(page).count()) ? Number(await badge(page).getAttribute("data-count")) : 0);

export async function chatChecks({ t, base, browser, watch, ADMIN }) {
  const ctx = await context(browser, { locale: "en", viewport: { width: 1366, height: 768 } });
  ctx.on("page", watch);
  const a = await ctx.newPage();
  await login(a, base, ADMIN.email, ADMIN.password);
  let v = null;
  let before = 0;

  await t("chat: a visitor asking for a person raises the sidebar's unread badge live, with an accessible name", async () => {
    await a.goto(base + "/chat");
    await a.locator('[data-testid="chat-table"]').waitFor();
    await a.locator('[data-testid="chat-table"][aria-busy="false"]').waitFor();
    before = await badgeCount(a);
    v = await visitor(base, "en");
    await v.say("I need help with an invoice from last month, zzqx-unknown.");
    await v.handoff();
    await a.waitForFunction((n) => Number(document.querySelector('[data-testid="chat-unread"]')?.getAttribute("data-count") ?? 0) > n, before, { timeout: 15_000 });
    const n = await badgeCount(a);
    // the nav link says it in words, not only the drawn number
    await a.getByRole("link", { name: new RegExp(`${n} unread`) }).first().waitFor();
    // the waiting tab lists it without a reload
    await a.locator(`tr[data-conversation-id="${v.id}"]`).waitFor({ timeout: 15_000 });
  });

  await t("chat: the agent opens it, a new visitor message appears live, takes it, replies (the visitor has it) and resolves it", async () => {
    await a.locator(`[data-open="${v.id}"]`).click();
    const pane = a.locator(`[data-testid="conversation"][data-conversation="${v.id}"]`);
    await pane.locator('[data-role="visitor"]', { hasText: "zzqx-unknown" }).waitFor();
    const raised = await badgeCount(a);
    await v.say("Are you there? zzqx-second");
    await pane.locator('[data-role="visitor"]', { hasText: "zzqx-second" }).waitFor({ timeout: 15_000 });
    await a.waitForFunction((n) => Number(document.querySelector('[data-testid="chat-unread"]')?.getAttribute("data-count") ?? 0) > n, raised, { timeout: 15_000 });

    await pane.locator('[data-action="take"]').click();
    await a.locator(`[data-testid="conversation"][data-state="agent"]`).waitFor();
    assert.equal(await pane.locator('[data-action="take"]').count(), 0);
    await pane.getByTestId("reply-text").fill("Hello, this is Sara from support: zzqx-reply.");
    await pane.getByTestId("reply-send").click();
    await pane.locator('[data-role="agent"]', { hasText: "zzqx-reply" }).waitFor();
    await a.waitForFunction(() => document.querySelector('[data-testid="reply-text"]')?.value === "", null, { timeout: 5000 }); // the box is emptied once sent
    const seen = await v.transcript();
    assert.equal(seen.state, "agent");
    assert.ok(seen.messages.some((m) => m.role === "agent" && m.text.includes("zzqx-reply")), "the visitor's transcript has the agent's reply");
    // taking and answering read the visitor's messages: the badge goes back down live
    await a.waitForFunction((n) => Number(document.querySelector('[data-testid="chat-unread"]')?.getAttribute("data-count") ?? 0) <= n, before, { timeout: 15_000 });

    await pane.locator('[data-action="resolve"]').click();
    await a.getByTestId("confirm").click();
    await a.locator(`[data-testid="conversation"][data-state="resolved"]`).waitFor();
    assert.equal(await pane.getByTestId("reply-form").count(), 0);
    assert.equal((await v.transcript()).state, "resolved");
    // the waiting tab no longer lists it
    await a.locator(`tr[data-conversation-id="${v.id}"]`).waitFor({ state: "detached", timeout: 15_000 });
  });

  await t("chat: the agent's reply becomes an FAQ entry the FAQ screen lists", async () => {
    const pane = a.locator(`[data-testid="conversation"][data-conversation="${v.id}"]`);
    await pane.locator('[data-action="to-faq"]').click();
    const dialog = a.getByTestId("to-faq-dialog");
    assert.match(await dialog.getByTestId("to-faq-question").inputValue(), /zzqx-second/);
    await dialog.getByTestId("to-faq-question").fill("Who answers invoice questions? zzqx-faq");
    await dialog.getByTestId("to-faq-submit").click();
    await dialog.waitFor({ state: "hidden" });
    await a.goto(base + "/faq?q=zzqx-faq");
    await a.locator("tr[data-faq-id]", { hasText: "zzqx-faq" }).waitFor();
    assert.equal(await a.title(), "FAQ · Pishkhan");
  });
  await ctx.close();
}

/**
 * The inbox with a conversation open and the FAQ screen, in the page's locale and theme: at 1366×768
 * and at 390×844. A waiting conversation with a bot answer citing its source is made first.
 */
export async function chatScreens(page, base, shot) {
  const lang = await page.evaluate(() => document.documentElement.lang || "fa");
  const v = await visitor(base, lang === "en" ? "en" : "fa");
  await v.say(lang === "en" ? "How long does shipping take?" : "ارسال سفارش چند روز طول می‌کشد؟");
  await v.say(lang === "en" ? "I would like to talk to a person, please." : "می‌خواهم با یک نفر صحبت کنم.");
  await v.handoff();
  for (const [w, h, suffix] of [[1366, 768, ""], [390, 844, "-phone"]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.goto(`${base}/chat?id=${v.id}`);
    await page.locator('[data-testid="conversation"] [data-role="visitor"]').first().waitFor();
    await page.waitForTimeout(300);
    await shot(`chat-inbox${suffix}`);
    await page.goto(`${base}/faq`);
    await page.locator("tr[data-faq-id], [data-testid='faq-empty']").first().waitFor();
    await page.waitForTimeout(300);
    await shot(`chat-faq${suffix}`);
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}
