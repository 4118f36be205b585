// The chat widget end to end (issue 17): a website on another origin, under a strict CSP that allows
// only Pishkhan's origin for scripts and connections (no style-src, no unsafe-*), embeds /widget.js
// with one tag. A visitor asks a question an FAQ entry answers and gets that answer; the conversation
// survives a reload; asking for a person puts it in the panel's inbox, where an agent takes it and
// replies live into the visitor's widget, then resolves it. Called from run.mjs for each mode.
import assert from "node:assert/strict";
import http from "node:http";

/** Logs in over HTTP (no browser); resolves to call(method, path, body) → {status, body}. */
export async function apiClient(base, email, password) {
  const r = await fetch(base + "/api/auth/login", { method: "POST", headers: { "Content-Type": "application/json", Origin: base }, body: JSON.stringify({ email, password }) });
  assert.equal(r.status, 200, `login ${email}: ${r.status}`);
  const cookie = r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const { csrf_token: csrf } = await r.json();
  return async (method, path, body) => {
    const res = await fetch(base + path, { method, headers: { cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json", Origin: base }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, body: json ?? text };
  };
}

/** The website's origin (run.mjs lists it in PUBLIC_CORS_ORIGINS). */
export function siteServer(port) {
  return `http://127.0.0.1:${port}`;
}

/** Serves a website page embedding base/widget.js under a strict CSP; resolves to {url, close}. */
function startSite(port, base) {
  const server = http.createServer((req, res) => {
    const en = req.url.startsWith("/en");
    res.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": `default-src 'none'; script-src ${base}; connect-src ${base}`,
    });
    res.end(`<!doctype html><html lang="${en ? "en" : "fa"}" dir="${en ? "ltr" : "rtl"}"><head><title>site</title></head>` +
      `<body><h1>${en ? "A website" : "یک وب‌سایت"}</h1><script src="${base}/widget.js" async ${en ? 'data-lang="en" data-theme="dark"' : ""}></script></body></html>`);
  });
  return new Promise((ok) => server.listen(port, "127.0.0.1", () => ok({ url: siteServer(port), close: () => server.close() })));
}

const shadow = (page, selector, options) => page.locator("[data-pishkhan-chat]").locator(selector, options);

export async function widgetChecks({ t, base, browser, ADMIN, sitePort, shots }) {
  const site = await startSite(sitePort, base);
  const call = await apiClient(base, ADMIN.email, ADMIN.password);
  const answer = "ارسال سفارش‌ها در تهران یک روز کاری طول می‌کشد.";
  const faq = await call("POST", "/api/faq", { lang: "fa", question: "ارسال سفارش چند روز طول می‌کشد؟", answer, phrasings: ["زمان ارسال سفارش"] });
  assert.equal(faq.status, 201, JSON.stringify(faq.body));

  const ctx = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const v = await ctx.newPage();
  const violations = [];
  await v.addInitScript(() => document.addEventListener("securitypolicyviolation", (e) => console.log("CSP " + e.violatedDirective + " " + e.blockedURI)));
  v.on("console", (m) => { if (m.text().startsWith("CSP ")) violations.push(m.text()); });

  await t("widget: under a strict CSP a visitor asks in Persian (Arabic yeh, no ZWNJ) and gets the FAQ answer", async () => {
    await v.goto(site.url + "/fa");
    await shadow(v, "button.launch").click();
    assert.equal(await shadow(v, "section.panel").getAttribute("dir"), "rtl");
    await shadow(v, "textarea").fill("زمان ارسال سفارشها چقدر است؟".replace("ی", "ي"));
    await shadow(v, "form button").click();
    await shadow(v, ".msg.bot .text", { hasText: answer }).first().waitFor({ timeout: 15_000 });
    assert.deepEqual(violations, []);
    if (shots) await v.screenshot({ path: `${shots}/widget-fa-light.png` });
  });

  let conversationId = 0;
  await t("widget: the conversation survives a reload; asking for a person puts it in the inbox", async () => {
    await v.reload();
    await shadow(v, "button.launch").click();
    await shadow(v, ".msg.bot .text", { hasText: answer }).first().waitFor();
    await shadow(v, "button.human").click();
    await shadow(v, "p.note").filter({ hasText: "همکار" }).last().waitFor();
    // the widget keeps its conversation in the website's localStorage
    conversationId = await v.evaluate(() => {
      const k = Object.keys(localStorage).find((key) => key.startsWith("pishkhan-chat:"));
      return k ? JSON.parse(localStorage.getItem(k)).id : 0;
    });
    const list = await call("GET", "/api/chat/conversations?state=waiting&page_size=100");
    assert.equal(list.status, 200);
    assert.ok(list.body.items.some((c) => c.id === conversationId), "the waiting conversation is in the inbox");
  });

  await t("widget: an agent takes it and replies; the visitor sees the reply live; resolving ends it", async () => {
    assert.equal((await call("POST", `/api/chat/conversations/${conversationId}/take`)).status, 200);
    const reply = "سلام، من مریم هستم. سفارش شما فردا می‌رسد.";
    const sent = await call("POST", `/api/chat/conversations/${conversationId}/messages`, { text: reply });
    assert.ok(sent.status === 201 || sent.status === 202, JSON.stringify(sent.body));
    await shadow(v, ".msg.agent .text", { hasText: reply }).waitFor({ timeout: 10_000 });
    assert.equal((await call("POST", `/api/chat/conversations/${conversationId}/resolve`)).status, 200);
    await shadow(v, "p.note").filter({ hasText: "بسته شد" }).waitFor({ timeout: 10_000 });
    assert.deepEqual(violations, []);
  });

  await t("widget: English, left to right, dark", async () => {
    const e = await ctx.newPage();
    await e.goto(site.url + "/en");
    await shadow(e, "button.launch").click();
    assert.equal(await shadow(e, "section.panel").getAttribute("dir"), "ltr");
    assert.equal(await shadow(e, "button.human").textContent(), "Talk to a person");
    if (shots) await e.screenshot({ path: `${shots}/widget-en-dark.png` });
  });

  await t("widget: on a phone the open panel fits the screen", async () => {
    const ph = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await ph.goto(site.url + "/fa");
    await shadow(ph, "button.launch").click();
    const box = await shadow(ph, "section.panel").boundingBox();
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, JSON.stringify(box));
    assert.equal(await ph.evaluate(() => document.documentElement.scrollWidth), 390);
    if (shots) await ph.screenshot({ path: `${shots}/widget-fa-phone.png` });
    await ph.close();
  });

  await ctx.close();
  site.close();
}
