// The media library's end-to-end checks (called from run.mjs for each mode)
// and the test files they upload, made here: a real PNG, and HTML named .jpg.
import assert from "node:assert/strict";
import { crc32, deflateSync } from "node:zlib";
import { context, login } from "./browser.mjs";
import { EICAR } from "./services.mjs";

/** The user who may only look at the library (created by run.mjs). */
export const MEDIA_VIEWER = { email: "media.viewer@e2e.example", password: "e2e-media-viewer-password" };

/**
 * A valid w×h RGB PNG: a gradient tinted by seed, with noise. level 0 stores
 * the pixels uncompressed (about w*h*3 bytes), for an upload slow enough to watch.
 */
export function makePng(w, h, seed = 1, level = 6) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  let r = (seed * 2654435761) >>> 0 || 1;
  const hues = [[79, 70, 229], [16, 185, 129], [245, 158, 11], [236, 72, 153], [14, 165, 233]][seed % 5];
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    for (let x = 0; x < w; x++) {
      r ^= r << 13; r >>>= 0; r ^= r >>> 17; r ^= r << 5; r >>>= 0;
      const noise = (r & 15) - 8;
      const k = 0.35 + 0.65 * ((x + y) / (w + h));
      const o = row + 1 + x * 3;
      for (let c = 0; c < 3; c++) raw[o + c] = Math.max(0, Math.min(255, Math.round(hues[c] * k + 255 * (1 - k) * (y / h) * 0.5 + noise)));
    }
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level })), chunk("IEND", Buffer.alloc(0))]);
}

/** An HTML page dressed as a JPEG: the server sniffs the bytes and refuses it. */
export const fakeJpeg = { name: "holiday.jpg", mimeType: "image/jpeg", buffer: Buffer.from("<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n") };

/** Drops files on the upload zone the way a browser does: a drop event carrying a DataTransfer. */
export async function dropFiles(page, files) {
  const dt = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: f.mimeType }));
    }
    return dt;
  }, files.map((f) => ({ name: f.name, mimeType: f.mimeType, b64: f.buffer.toString("base64") })));
  const zone = page.locator('[data-testid="drop-zone"]');
  await zone.dispatchEvent("dragenter", { dataTransfer: dt });
  await zone.dispatchEvent("dragover", { dataTransfer: dt });
  assert.equal(await zone.getAttribute("data-over"), "true", "the zone shows it will take the files");
  await zone.dispatchEvent("drop", { dataTransfer: dt });
  await dt.dispose();
}

/** Limits this page's upload speed (bytes per second; -1 lifts the limit). */
export async function throttleUploads(ctx, page, bytesPerSecond) {
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
  return cdp;
}

const row = (page, name) => page.locator(`[data-upload-row="${name}"]`);

export async function mediaChecks({ t, base, browser, watch, ADMIN, production }) {
  const ctx = await context(browser, { locale: "en" });
  ctx.on("page", watch);
  const p = await ctx.newPage();
  await login(p, base, ADMIN.email, ADMIN.password);
  let imageId = "";
  const photo = { name: "e2e-photo.png", mimeType: "image/png", buffer: makePng(640, 640, 1, 0) };

  await t("media: an image dropped on the zone shows its upload progress, then turns ready with its thumbnail, live", async () => {
    await p.getByRole("link", { name: "Media", exact: true }).first().click();
    await p.waitForURL(/\/media$/);
    await p.waitForSelector('[data-testid="drop-zone"]');
    await p.waitForSelector('[data-live="live"]');
    // about 1.2 MB at 400 KB/s: three seconds of progress to watch
    const cdp = await throttleUploads(ctx, p, 400 * 1024);
    await dropFiles(p, [photo]);
    const bar = row(p, photo.name).getByRole("progressbar");
    await bar.waitFor();
    const seen = [];
    for (const start = Date.now(); Date.now() - start < 30_000;) {
      const v = Number(await bar.getAttribute("aria-valuenow"));
      if (seen[seen.length - 1] !== v) seen.push(v);
      if (v === 100) break;
      await p.waitForTimeout(50);
    }
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    assert.ok(seen.some((v) => v > 0 && v < 100), `progress between 0 and 100 expected, saw ${seen.join(",")}`);
    assert.deepEqual([...seen].sort((a, b) => a - b), seen, `progress only grows: ${seen.join(",")}`);
    assert.equal(seen[seen.length - 1], 100);
    // the pipeline's changes arrive as events: scanning, then ready, with no reload
    await row(p, photo.name).locator('[data-testid="upload-status"][data-status="ready"]').waitFor({ timeout: 30_000 });
    imageId = await row(p, photo.name).getAttribute("data-media-id");
    assert.match(imageId, /^\d+$/);
    const card = p.locator(`[data-testid="media-grid"] [data-media-id="${imageId}"]`);
    await card.locator('[data-media-status="ready"]').waitFor({ timeout: 10_000 });
    const thumb = card.locator('img[data-thumb="256"]');
    await thumb.waitFor();
    await p.waitForFunction((id) => {
      const img = document.querySelector(`[data-media-id="${id}"] img[data-thumb="256"]`);
      return img && img.complete && img.naturalWidth > 0;
    }, imageId, { timeout: 10_000 });
    const w = await thumb.evaluate((img) => img.naturalWidth);
    assert.ok(w > 0 && w <= 256, `a 256 px thumbnail expected, got ${w}`);
    if (production) {
      // uploaded straight to S3 (another origin) and scanned by clamd
      assert.doesNotMatch(await row(p, photo.name).textContent(), /Not scanned/, "clamd scanned it: no marker");
      assert.match(await thumb.getAttribute("src"), /^http:\/\/127\.0\.0\.1:\d+\/media\//, "the thumbnail comes from the bucket");
    } else {
      assert.match(await row(p, photo.name).textContent(), /Not scanned/, "no scanner in the embedded mode: the marker shows");
    }
  });

  if (production) {
    await t("media: the EICAR test file is found by clamd and rejected, with no download", async () => {
      const eicar = { name: "eicar.pdf", mimeType: "application/pdf", buffer: Buffer.from(EICAR) };
      await p.locator('[data-testid="media-file-input"]').setInputFiles([eicar]);
      const r = row(p, eicar.name);
      await r.locator('[data-testid="upload-status"][data-status="rejected"]').waitFor({ timeout: 30_000 });
      // the screen explains the stable reason code in the user's language
      assert.match(await r.locator('[data-testid="upload-reason"]').textContent(), /The virus scanner found malware in this file/);
      const id = await r.getAttribute("data-media-id");
      const item = await p.evaluate(async (id) => (await fetch(`/api/media/${id}`)).json(), id);
      assert.equal(item.status, "rejected");
      assert.equal(item.scan, "infected");
      assert.equal(item.reason_code, "infected");
      assert.match(item.reason, /Eicar-Test/);
      assert.equal(item.url, null);
    });
  }

  await t("media: an HTML file named .jpg is rejected with its reason; a refused type is explained before sending", async () => {
    await p.locator('[data-testid="media-file-input"]').setInputFiles([fakeJpeg, { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("plain text") }]);
    const bad = row(p, fakeJpeg.name);
    await bad.locator('[data-testid="upload-status"][data-status="rejected"]').waitFor({ timeout: 30_000 });
    assert.match(await bad.locator('[data-testid="upload-reason"]').textContent(), /This type of file is not accepted/);
    const id = await bad.getAttribute("data-media-id");
    const item = await p.evaluate(async (id) => (await fetch(`/api/media/${id}`)).json(), id);
    assert.equal(item.reason_code, "type_not_allowed");
    assert.match(item.reason, /text\/html/);
    await p.locator(`[data-testid="media-grid"] [data-media-id="${id}"][data-status="rejected"] [data-testid="media-reason"]`).waitFor({ timeout: 10_000 });
    const txt = row(p, "notes.txt");
    await txt.locator('[data-testid="upload-error"]').waitFor();
    assert.match(await txt.locator('[data-testid="upload-error"]').textContent(), /This type of file is not accepted/);
    assert.equal(await txt.getAttribute("data-media-id"), "", "nothing was recorded for it");
    assert.equal(await txt.locator('[data-testid="upload-retry"]').count(), 1);
    await p.locator('[data-testid="upload-clear"]').click();
    await p.locator('[data-upload-row]').first().waitFor({ state: "detached" });
  });

  await t("media: filters and the list view live in the URL", async () => {
    await p.goto(base + "/media?view=list&status=rejected");
    await p.waitForSelector('[data-testid="media-table"] tr[data-media-id]');
    const statuses = await p.locator('[data-testid="media-table"] tr[data-media-id]').evaluateAll((rs) => rs.map((r) => r.getAttribute("data-status")));
    assert.deepEqual([...new Set(statuses)], ["rejected"]);
    assert.equal(await p.locator('select[name="status"]').inputValue(), "rejected");
    await p.locator('select[name="kind"]').selectOption("image");
    await p.waitForURL(/kind=image/);
    assert.match(p.url(), /view=list/);
    await p.locator('[data-view="grid"]').click();
    await p.waitForURL((u) => !u.search.includes("view=list"));
    await p.goto(base + "/media?q=e2e-photo");
    await p.waitForSelector(`[data-testid="media-grid"] [data-media-id="${imageId}"]`);
    assert.equal(await p.locator('[data-testid="media-grid"] [data-media-id]').count(), 1);
  });

  await t("media: the detail page saves titles and alt text with If-Match, and explains a change made meanwhile (412)", async () => {
    await p.locator(`[data-media-id="${imageId}"] a`).first().click();
    await p.waitForURL(new RegExp(`/media/detail\\?id=${imageId}$`));
    await p.waitForSelector('[data-testid="media-preview"] img[data-thumb="1024"]');
    assert.match(await p.locator('[data-testid="media-dimensions"]').textContent(), /640 × 640/);
    assert.match(await p.locator('[data-testid="media-size"]').textContent(), /^1\.2 MB$/);
    // a signed download: the bucket's (production) or the server's own (embedded)
    assert.match(await p.locator('[data-testid="media-download"]').getAttribute("href"),
      production ? /^http:\/\/127\.0\.0\.1:\d+\/media\/.*X-Amz-Signature=/ : /\/api\/storage\//);
    await p.getByLabel("Title (English)").fill("Gradient");
    await p.getByLabel("Title (Persian)").fill("گرادیان");
    await p.getByLabel("Alt text (English)").fill("A soft violet gradient");
    await p.getByRole("button", { name: "Save" }).click();
    await p.waitForSelector("text=Changes saved.");
    const got = await p.evaluate(async (id) => (await (await fetch(`/api/media/${id}`)).json()).title, imageId);
    assert.deepEqual(got, { fa: "گرادیان", en: "Gradient" });
    // someone else changes it while this form is being edited
    await p.getByLabel("Alt text (Persian)").fill("گرادیان بنفش");
    const status = await p.evaluate(async (id) => {
      const me = await (await fetch("/api/auth/me")).json();
      const cur = await fetch(`/api/media/${id}`);
      const r = await fetch(`/api/media/${id}`, { method: "PATCH", headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token, "If-Match": cur.headers.get("ETag") },
        body: JSON.stringify({ title: { fa: "دیگری", en: "Someone else's" } }) });
      return r.status;
    }, imageId);
    assert.equal(status, 200);
    await p.getByRole("button", { name: "Save" }).click();
    await p.locator('[data-testid="media-stale"]').waitFor();
    assert.match(await p.locator('[data-testid="media-stale"]').textContent(), /changed elsewhere/);
    await p.getByRole("button", { name: "Load the new version" }).click();
    assert.equal(await p.getByLabel("Title (English)").inputValue(), "Someone else's");
  });

  await t("media: selected items are deleted together after a confirmation; one item from its page", async () => {
    await p.goto(base + "/media?view=list");
    await p.waitForSelector('[data-testid="media-table"] tr[data-media-id]');
    const rejected = await p.locator('tr[data-media-id][data-status="rejected"]').evaluateAll((rs) => rs.map((r) => r.getAttribute("data-media-id")));
    assert.ok(rejected.length >= 1);
    for (const id of rejected) await p.locator(`tr[data-media-id="${id}"] input[data-select]`).check();
    assert.equal(await p.locator('[data-testid="selected-count"]').textContent(), `${rejected.length} selected`);
    await p.locator('[data-testid="bulk-delete"]').click();
    await p.getByRole("dialog").getByRole("button", { name: "Yes, delete" }).click();
    for (const id of rejected) await p.locator(`tr[data-media-id="${id}"]`).waitFor({ state: "detached" });
    await p.waitForSelector(`text=${rejected.length} files deleted.`);
    // focus stays in the library, not at the top of the page
    await p.waitForFunction(() => document.activeElement && document.activeElement !== document.body && document.querySelector("main").contains(document.activeElement));
    // the image: deleted from its own page
    await p.goto(`${base}/media/detail?id=${imageId}`);
    await p.locator('[data-testid="media-delete"]').click();
    await p.getByRole("dialog").getByRole("button", { name: "Yes, delete" }).click();
    await p.waitForURL(/\/media$/);
    // focus lands on the library's heading, not at the top of the page
    await p.waitForFunction(() => document.activeElement?.tagName === "H1" && document.querySelector("main").contains(document.activeElement));
    assert.equal(await p.evaluate(async (id) => (await fetch(`/api/media/${id}`)).status, imageId), 404);
  });

  await t("media: a user with media.view only sees the library, without upload or delete controls", async () => {
    const vctx = await context(browser, { locale: "en" });
    const v = await vctx.newPage();
    await login(v, base, MEDIA_VIEWER.email, MEDIA_VIEWER.password);
    await v.goto(base + "/media");
    await v.waitForSelector('[data-testid="media-empty"], [data-testid="media-grid"] [data-media-id]');
    assert.equal(await v.locator('[data-testid="drop-zone"]').count(), 0);
    assert.equal(await v.locator("input[data-select]").count(), 0);
    assert.equal(await v.locator('aside a[href="/media"]').count(), 1);
    await vctx.close();
  });
  await ctx.close();
}

/** A small PDF (one empty page), for a document in the library. */
export function makePdf() {
  const objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"];
  let body = "%PDF-1.4\n";
  const offsets = [];
  objs.forEach((o, i) => { offsets.push(body.length); body += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = body.length;
  body += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n` + offsets.map((o) => String(o).padStart(10, "0") + " 00000 n \n").join("");
  body += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/**
 * Screenshots of the library (screens.mjs): the grid with a few uploads
 * (made on the first pass), the list, an upload caught mid-way, the detail
 * page and the bulk delete dialog.
 */
export async function mediaScreens(page, ctx, base, shot, out, locale, theme) {
  await page.goto(base + "/media");
  await page.waitForSelector('[data-testid="drop-zone"]');
  const ready = await page.evaluate(async () => (await (await fetch("/api/media?status=ready")).json()).total);
  if (ready < 4) {
    const files = [
      { name: "sunset.png", mimeType: "image/png", buffer: makePng(480, 320, 2) },
      { name: "ساحل-کیش.png", mimeType: "image/png", buffer: makePng(320, 480, 1) },
      { name: "team-photo.png", mimeType: "image/png", buffer: makePng(400, 400, 4) },
      { name: "product-banner-with-a-rather-long-file-name.png", mimeType: "image/png", buffer: makePng(600, 200, 3) },
      { name: "logo.png", mimeType: "image/png", buffer: makePng(256, 256, 0) },
      { name: "price-list.pdf", mimeType: "application/pdf", buffer: makePdf() },
      fakeJpeg,
    ];
    await page.locator('[data-testid="media-file-input"]').setInputFiles(files);
    await page.waitForFunction((n) => document.querySelectorAll('[data-upload-row] [data-testid="upload-status"][data-status="ready"], [data-upload-row] [data-testid="upload-status"][data-status="rejected"], [data-upload-row] [data-testid="upload-status"][data-status="failed"]').length === n, files.length, { timeout: 60_000 });
    await shot("media-upload-done");
    await page.locator('[data-testid="upload-clear"]').click();
  }
  await page.waitForSelector('[data-testid="media-grid"] img[data-thumb="256"]');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="media-grid"] img')].every((i) => i.complete));
  await shot("media-grid");
  await page.goto(base + "/media?view=list");
  await page.waitForSelector('[data-testid="media-table"] tr[data-media-id]');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="media-table"] img')].every((i) => i.complete));
  await shot("media-list");
  // an upload caught mid-way: the bytes trickle out at 64 KB/s
  const cdp = await throttleUploads(ctx, page, 64 * 1024);
  await page.locator('[data-testid="media-file-input"]').setInputFiles([{ name: locale === "fa" ? "عکس-بزرگ.png" : "large-photo.png", mimeType: "image/png", buffer: makePng(500, 500, 3, 0) }]);
  await page.waitForFunction(() => Number(document.querySelector('[data-upload-row] [role="progressbar"]')?.getAttribute("aria-valuenow")) >= 25, null, { timeout: 30_000 });
  await page.screenshot({ path: `${out}/media-uploading-${locale}-${theme}.png` });
  await page.locator('[data-testid="upload-cancel"]').click();
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await page.waitForSelector('[data-upload-row][data-phase="cancelled"]');
  await shot("media-upload-cancelled");
  if (await page.locator('[data-testid="upload-delete-pending"]').count()) {
    await page.locator('[data-testid="upload-delete-pending"]').click();
    await page.locator("[data-upload-row]").waitFor({ state: "detached" });
  }
  // two selected, and the bulk delete's question
  const boxes = page.locator("tr[data-media-id] input[data-select]");
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.locator('[data-testid="bulk-delete"]').click();
  await page.waitForSelector("dialog[open]");
  await page.screenshot({ path: `${out}/media-bulk-delete-${locale}-${theme}.png` });
  await page.keyboard.press("Escape");
  // the detail page of an image, and of the rejected file
  const id = await page.locator('tr[data-media-id][data-status="ready"]:has(img[data-thumb="256"])').first().getAttribute("data-media-id");
  await page.goto(`${base}/media/detail?id=${id}`);
  await page.waitForSelector('[data-testid="media-preview"] img');
  await page.waitForFunction(() => document.querySelector('[data-testid="media-preview"] img')?.complete);
  await shot("media-detail");
  const rejected = await page.evaluate(async () => (await (await fetch("/api/media?status=rejected")).json()).items[0]?.id);
  if (rejected) {
    await page.goto(`${base}/media/detail?id=${rejected}`);
    await page.waitForSelector('[data-testid="media-reason"]');
    await shot("media-detail-rejected");
  }
}
