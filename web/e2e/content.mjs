// The content wave's end-to-end checks (issue 16, "How it must be shown"), called from run.mjs for
// each mode: a Persian post with a library image written by a writer, published by another user and
// read back from the public API and the Atom feed; two editors and the 412 merge; a scheduled post
// going live; the portfolio reordered by drag and drop and by the keyboard; a live project renamed
// (its old slug redirects) and deleted from the portfolio.
import assert from "node:assert/strict";
import { context, login } from "./browser.mjs";
import { makePng } from "./media.mjs";

/** Writes posts and submits them for review; may not publish (created by run.mjs). */
export const WRITER = { email: "writer@e2e.example", password: "e2e-writer-password", permissions: "content.view,content.edit,media.view" };
/** Publishes what writers submit. */
export const PUBLISHER = { email: "publisher@e2e.example", password: "e2e-publisher-password", permissions: "content.view,content.edit,content.publish,media.view" };

/** A JSON API call in page's session (with its CSRF token); resolves to {status, body, etag}. */
export async function api(page, method, path, body, headers = {}) {
  return page.evaluate(async ([method, path, body, headers]) => {
    const me = await (await fetch("/api/auth/me")).json();
    const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, body: json ?? text, etag: r.headers.get("ETag") };
  }, [method, path, body, headers]);
}

/** Uploads a PNG through the media screen and waits for it to be ready; resolves to its id. */
async function uploadImage(page, base, name) {
  await page.goto(base + "/media");
  await page.waitForSelector('[data-testid="drop-zone"]');
  await page.locator('[data-testid="media-file-input"]').setInputFiles([{ name, mimeType: "image/png", buffer: makePng(320, 200, 3) }]);
  const row = page.locator(`[data-upload-row="${name}"]`);
  await row.locator('[data-testid="upload-status"][data-status="ready"]').waitFor({ timeout: 30_000 });
  return Number(await row.getAttribute("data-media-id"));
}

const publicGet = (base, path) => fetch(base + path).then(async (r) => ({ status: r.status, text: await r.text() }));

export async function contentChecks({ t, base, browser, watch, ADMIN }) {
  const writerCtx = await context(browser, { locale: "fa" });
  writerCtx.on("page", watch);
  const w = await writerCtx.newPage();
  await login(w, base, WRITER.email, WRITER.password);
  const pubCtx = await context(browser, { locale: "en" });
  pubCtx.on("page", watch);
  const p = await pubCtx.newPage();
  await login(p, base, PUBLISHER.email, PUBLISHER.password);
  const title = "یادداشت آزمایشی پیشخان";
  let postId = 0, imageId = 0, slug = "";

  await t("content: a writer writes a Persian post with a library image and submits it; no publish button for them", async () => {
    // the writer and the publisher may only look at the library: the admin uploads
    const adminCtx = await context(browser, { locale: "en" });
    const a = await adminCtx.newPage();
    await login(a, base, ADMIN.email, ADMIN.password);
    imageId = await uploadImage(a, base, "e2e-content-cover.png");
    await adminCtx.close();
    await w.goto(base + "/posts/new");
    await w.getByTestId("title").fill(title);
    await w.getByTestId("body-editor").fill("این متن آزمایشی است.\n\n");
    await w.locator('[data-tool="image"]').click();
    await w.locator(`[data-testid="media-picker"] [data-media-id="${imageId}"]`).click();
    assert.match(await w.getByTestId("body-editor").inputValue(), new RegExp(`media:${imageId}`));
    // the server's preview renders the picture
    await w.locator(`[data-testid="preview"] img[src*="/api/public/v1/media/${imageId}"]`).waitFor({ timeout: 10_000 });
    await w.getByTestId("save").click();
    await w.waitForURL(/\/posts\/edit\?id=\d+/);
    postId = Number(new URL(w.url()).searchParams.get("id"));
    await w.locator('[data-action="submit"]').click();
    await w.waitForFunction(() => document.querySelector('[data-testid="post-status"]')?.textContent === "در انتظار بازبینی" || false, null, { timeout: 10_000 }).catch(() => {});
    const got = await api(w, "GET", `/api/posts/${postId}`);
    assert.equal(got.body.status, "in_review");
    assert.equal(got.body.lang, "fa");
    slug = got.body.slug;
    assert.ok(slug, "the post has a slug");
    assert.equal(await w.locator('[data-action="publish"]').count(), 0, "a writer is offered no Publish");
    // nor may the API be asked behind the screen's back
    const refused = await api(w, "POST", `/api/posts/${postId}/transition`, { to: "published" }, { "If-Match": got.etag });
    assert.equal(refused.status, 403);
    assert.equal((await publicGet(base, `/api/public/v1/posts/${encodeURIComponent(slug)}?lang=fa`)).status, 404, "not on the website before it is published");
  });

  await t("content: another user publishes it; the public API and the Atom feed show it with its picture", async () => {
    await p.goto(`${base}/posts/edit?id=${postId}`);
    await p.locator('[data-action="publish"]').click();
    await p.getByTestId("confirm").click();
    await p.waitForFunction(() => document.querySelector('[data-testid="post-status"]')?.textContent === "Published", null, { timeout: 10_000 });
    const post = await publicGet(base, `/api/public/v1/posts/${encodeURIComponent(slug)}?lang=fa`);
    assert.equal(post.status, 200, post.text);
    const body = JSON.parse(post.text);
    assert.equal(body.title, title);
    assert.match(body.body_html, new RegExp(`<img[^>]+src="/api/public/v1/media/${imageId}"`));
    const feed = await publicGet(base, "/api/public/v1/feed.atom?lang=fa");
    assert.equal(feed.status, 200);
    assert.ok(feed.text.includes(title), "the feed names the post");
  });

  await t("content: two editors save one post; the second gets the 412 dialog, merges, and both changes are kept", async () => {
    const ctxB = await context(browser, { locale: "en" });
    ctxB.on("page", watch);
    const b = await ctxB.newPage();
    await login(b, base, PUBLISHER.email, PUBLISHER.password);
    await w.goto(`${base}/posts/edit?id=${postId}`);
    await b.goto(`${base}/posts/edit?id=${postId}`);
    await w.getByTestId("title").waitFor();
    await b.getByTestId("title").waitFor();
    // B starts typing first (a dirty form is never replaced by someone's save), then A saves
    const excerpt = "Excerpt typed in the second browser";
    await b.getByLabel("Excerpt").fill(excerpt);
    const newTitle = title + " (ویرایش)";
    await w.getByTestId("title").fill(newTitle);
    await w.getByTestId("save").click();
    await w.waitForSelector('[data-testid="dirty"]', { state: "detached" });
    await b.getByTestId("save").click();
    const dialog = b.getByTestId("conflict-dialog");
    await dialog.waitFor({ timeout: 10_000 });
    assert.equal(await dialog.locator('[data-field="title"]').count(), 1, "their title is shown");
    await b.getByTestId("conflict-merge").click();
    await dialog.waitFor({ state: "hidden" });
    const saved = (await api(b, "GET", `/api/posts/${postId}`)).body;
    assert.equal(saved.title, newTitle, "A's title kept");
    assert.equal(saved.excerpt, excerpt, "B's excerpt kept");
    await ctxB.close();
  });

  await t("content: a post scheduled with the picker goes live within 30 s, on screen and in the public API", async () => {
    const created = await api(p, "POST", "/api/posts", { title: "Scheduled e2e post", slug: "scheduled-e2e-post", lang: "en", body_md: "Goes live by itself." });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    // the picker takes minutes: start when the next whole minute is 8–18 s away
    const s = new Date().getSeconds();
    if (s < 42 || s > 52) await p.waitForTimeout(((42 - s + 60) % 60) * 1000);
    const at = new Date(Math.ceil((Date.now() + 1000) / 60_000) * 60_000);
    await p.goto(`${base}/posts/edit?id=${id}`);
    await p.locator('[data-action="schedule"]').click();
    const form = p.getByTestId("schedule-form");
    await form.getByLabel("Day", { exact: true }).click();
    await p.waitForFunction(() => document.activeElement?.getAttribute("role") === "spinbutton");
    const two = (n) => String(n).padStart(2, "0");
    await p.keyboard.type(`${two(at.getMonth() + 1)}${two(at.getDate())}${at.getFullYear()}`, { delay: 40 });
    await form.locator('input[type="time"]').fill(`${two(at.getHours())}:${two(at.getMinutes())}`);
    await form.getByRole("button", { name: "Confirm time" }).click();
    await p.waitForFunction(() => document.querySelector('[data-testid="post-status"]')?.textContent === "Scheduled", null, { timeout: 10_000 });
    assert.equal((await api(p, "GET", `/api/posts/${id}`)).body.publish_at, at.toISOString().replace(/\.\d{3}Z$/, "Z"));
    assert.equal((await publicGet(base, "/api/public/v1/posts/scheduled-e2e-post?lang=en")).status, 404, "not live before its time");
    await p.waitForFunction(() => document.querySelector('[data-testid="post-status"]')?.textContent === "Published", null, { timeout: 30_000 });
    assert.ok(Date.now() >= at.getTime(), "not before its time");
    assert.equal((await publicGet(base, "/api/public/v1/posts/scheduled-e2e-post?lang=en")).status, 200);
  });

  await t("content: projects reordered by drag and drop and by the keyboard keep their order after a reload", async () => {
    const ids = [];
    for (const n of ["One", "Two", "Three"]) {
      const r = await api(p, "POST", "/api/projects", { title: `E2E project ${n}`, slug: `e2e-project-${n.toLowerCase()}`, lang: "en" });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.push(r.body.id);
    }
    const order = () => p.locator('[data-testid="projects"] [data-project-id]').evaluateAll((es) => es.map((e) => Number(e.getAttribute("data-project-id"))));
    const mine = async () => (await order()).filter((id) => ids.includes(id));
    await p.goto(base + "/projects");
    await p.locator(`[data-project-id="${ids[2]}"]`).waitFor();
    const before = await mine();
    // drag the last of the three onto the first
    const handle = p.locator(`[data-sort-key="${before[2]}"] [data-control="handle"]`);
    const target = p.locator(`[data-sort-key="${before[0]}"]`);
    const saved = p.waitForResponse((r) => r.url().endsWith("/api/projects/order") && r.request().method() === "PUT");
    await handle.dragTo(target);
    assert.equal((await saved).status(), 200);
    const dragged = [before[2], before[0], before[1]];
    assert.deepEqual(await mine(), dragged);
    await p.reload();
    await p.locator(`[data-project-id="${ids[2]}"]`).waitFor();
    assert.deepEqual(await mine(), dragged, "the dragged order persisted");
    // one keyboard move: the first of them one down
    const saved2 = p.waitForResponse((r) => r.url().endsWith("/api/projects/order") && r.request().method() === "PUT");
    await p.locator(`[data-sort-key="${dragged[0]}"] [data-control="handle"]`).focus();
    await p.keyboard.press("ArrowDown");
    assert.equal((await saved2).status(), 200);
    const keyed = [dragged[1], dragged[0], dragged[2]];
    await p.reload();
    await p.locator(`[data-project-id="${ids[2]}"]`).waitFor();
    assert.deepEqual(await mine(), keyed, "the keyboard move persisted");
    const listed = (await api(p, "GET", "/api/projects?page_size=100")).body;
    const items = (listed.items ?? listed).map((x) => x.id).filter((id) => ids.includes(id));
    assert.deepEqual(items, keyed, "the API lists them in that order");
  });

  await t("content: a renamed live project redirects from its old slug; deleted from the portfolio after a confirmation naming it, it leaves the website and focus stays in the list", async () => {
    const made = await api(p, "POST", "/api/projects", { title: "E2E delete me", slug: "e2e-delete-me", lang: "en" });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const id = made.body.id;
    const keeper = await api(p, "POST", "/api/projects", { title: "E2E kept after", slug: "e2e-kept-after", lang: "en" });
    assert.equal(keeper.status, 201, JSON.stringify(keeper.body));
    assert.equal((await api(p, "POST", `/api/projects/${id}/transition`, { to: "published" })).status, 200);
    assert.equal((await api(p, "PATCH", `/api/projects/${id}`, { slug: "e2e-deleted-now" })).status, 200);
    const old = await fetch(base + "/api/public/v1/projects/e2e-delete-me?lang=en", { redirect: "manual" });
    assert.equal(old.status, 301, "the old slug of a live project redirects");
    assert.equal(old.headers.get("location"), "/api/public/v1/projects/e2e-deleted-now?lang=en");
    await p.goto(base + "/projects");
    const row = p.locator(`[data-testid="projects"] [data-project-id="${id}"]`);
    await row.waitFor();
    await row.getByRole("button", { name: "Delete E2E delete me" }).click();
    const dialog = p.locator("dialog[open]");
    await dialog.waitFor();
    assert.equal(await dialog.getByRole("heading").textContent(), "Delete “E2E delete me”?");
    assert.match(await dialog.getByTestId("delete-project-consequence").textContent(), /taken off at once/);
    const gone = p.waitForResponse((r) => r.url().endsWith(`/api/projects/${id}`) && r.request().method() === "DELETE");
    await dialog.getByTestId("confirm").click();
    const answer = await gone;
    assert.equal(answer.status(), 204);
    assert.ok(answer.request().headers()["if-match"], "deleted with If-Match");
    await row.waitFor({ state: "detached" });
    // focus went to the project that took its place, not to the page
    await p.waitForFunction((kept) => document.activeElement?.closest(`[data-project-id="${kept}"]`) !== null, keeper.body.id);
    assert.equal((await publicGet(base, "/api/public/v1/projects/e2e-deleted-now?lang=en")).status, 404);
    assert.equal((await fetch(base + "/api/public/v1/projects/e2e-delete-me?lang=en", { redirect: "manual" })).status, 404, "its old slug is gone too");
    assert.equal((await api(p, "GET", `/api/projects/${id}`)).status, 404);
  });

  await writerCtx.close();
  await pubCtx.close();
}

/**
 * Screenshots of the content screens at 1366×768 and on a phone, 390×844 (screens.mjs,
 * SCREENS_ONLY=content): the posts
 * list, the editor with its preview, a revision comparison, the portfolio, a project's editor and
 * the webhooks with a delivery log. Makes what it shows (a post saved twice, projects, a webhook
 * tested once) the first time it runs against a server.
 */
export async function contentScreens(page, base, shot) {
  const list = (await api(page, "GET", "/api/posts?page_size=100")).body;
  let post = list.items?.find((x) => x.slug === "e2e-screens-post");
  if (!post) {
    const c = await api(page, "POST", "/api/posts", { title: "پیشخان در یک نگاه", slug: "e2e-screens-post", lang: "fa", tags: ["پیشخان", "راهنما"], excerpt: "نگاهی کوتاه به پیشخان.", body_md: "## پیشخان\n\nپیشخان پنل مدیریت **فارسی** است.\n\n- سفارش‌ها\n- رسانه‌ها\n- نوشته‌ها\n" });
    post = c.body;
    const g = await api(page, "GET", `/api/posts/${post.id}`);
    await api(page, "PATCH", `/api/posts/${post.id}`, { body_md: "## پیشخان\n\nپیشخان پنل مدیریت **فارسی و انگلیسی** است، با نوشته‌ها و نمونه‌کارها.\n\n- سفارش‌ها\n- رسانه‌ها\n- نوشته‌ها\n- نمونه‌کارها\n", title: "پیشخان در یک نگاه (ویرایش دوم)" }, { "If-Match": g.etag });
    for (const [i, n] of ["وب‌سایت فروشگاه", "Mobile banking app", "داشبورد تحلیلی"].entries()) {
      await api(page, "POST", "/api/projects", { title: n, slug: `e2e-screens-project-${i}`, lang: i === 1 ? "en" : "fa", client: i === 1 ? "Acme" : "شرکت نمونه", summary: "خلاصهٔ پروژه", tags: ["وب"] });
    }
    const wh = await api(page, "POST", "/api/webhooks", { url: "http://127.0.0.1:9/hook", events: ["post.published"], description: "وب‌سایت اصلی" });
    if (wh.body?.id) await api(page, "POST", `/api/webhooks/${wh.body.id}/test`);
  }
  // a laptop (1366×768), then a phone (390×844): NAME-LOCALE-THEME.png and NAME-phone-LOCALE-THEME.png
  for (const [width, height, suffix] of [[1366, 768, ""], [390, 844, "-phone"]]) {
    await page.setViewportSize({ width, height });
    await page.goto(base + "/posts");
    await page.waitForSelector("tr[data-post-id]");
    await shot("posts" + suffix);
    await page.goto(`${base}/posts/edit?id=${post.id}`);
    await page.locator('[data-testid="preview"] h2').waitFor({ timeout: 10_000 });
    await shot("post-editor" + suffix);
    await page.locator('[data-testid="revision-changes"]').scrollIntoViewIfNeeded({ timeout: 10_000 });
    await page.screenshot({ path: shot.path("post-revision-diff" + suffix) });
    await page.goto(base + "/projects");
    await page.waitForSelector('[data-testid="projects"] [data-project-id]');
    await shot("projects" + suffix);
    // the delete confirmation (cancelled)
    await page.locator('[data-testid="projects"] [data-action="delete"]').first().click();
    await page.locator('dialog[open] [data-testid="confirm"]').waitFor();
    await shot("project-delete-dialog" + suffix);
    await page.keyboard.press("Escape");
    await page.locator("dialog[open]").waitFor({ state: "detached" }).catch(() => {});
    const pid = await page.locator('[data-testid="projects"] [data-project-id]').first().getAttribute("data-project-id");
    await page.goto(`${base}/projects/edit?id=${pid}`);
    await page.waitForSelector("form");
    await page.waitForTimeout(500);
    await shot("project-editor" + suffix);
    await page.goto(base + "/webhooks");
    await page.locator('[data-action="log"]').first().click();
    await page.waitForSelector('[data-testid^="deliveries-"]');
    await page.waitForTimeout(800);
    await shot("webhooks" + suffix);
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}
