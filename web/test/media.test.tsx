import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { defaultMediaFilters, mediaApiQuery, mediaFiltersFromSearch, mediaFiltersToSearch, thumbnailOf, type Media } from "@/features/media/api";
import { MediaBadges, ReasonLine } from "@/features/media/components/MediaStatusBadge";
import { mediaReasonCodes, reasonKey } from "@/features/media/reasons";
import { uploadErrorLines } from "@/features/media/components/UploadPanel";
import { dimensions, humanSize } from "@/features/media/format";
import {
  isSameOrigin, maxParallel, nextToStart, percentOf, retryStep, uploadHeaders, uploadReducer, type UploadAction, type UploadFile, type UploadItem,
} from "@/features/media/upload";
import { I18nProvider } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { faAll as fa } from "@/lib/messages.screens";
import { en } from "@/lib/messages.en";

const t = (key: MessageKey) => en[key];
type Item = UploadItem<UploadFile>;
const file = (name: string, size = 1000, type = "image/png"): UploadFile => ({ name, size, type });
const run = (actions: UploadAction<UploadFile>[], from: Item[] = []) => actions.reduce(uploadReducer<UploadFile>, from);
const signed = (expires: string) => ({ method: "PUT", url: "/api/storage/tok", headers: { "Content-Type": "image/png" }, expires_at: expires });
const NOW = Date.parse("2026-11-28T10:00:00Z");
const media = (id: number, status = "pending"): Media => ({
  id, filename: "a.png", content_type: "image/png", size: 1000, kind: "image", status, scan: "pending", reason: "", reason_code: "", width: 0, height: 0,
  title: { fa: "", en: "" }, alt: { fa: "", en: "" }, owner: { id: 1, email: "a@example.com" }, created_at: "2026-11-28T10:00:00Z", updated_at: "2026-11-28T10:00:00Z", url: null, thumbnails: {},
});

describe("human file sizes", () => {
  it("uses binary units, one decimal below 100, none for bytes", () => {
    expect(humanSize(0, "en")).toBe("0 B");
    expect(humanSize(512, "en")).toBe("512 B");
    expect(humanSize(1024, "en")).toBe("1 KB");
    expect(humanSize(1536, "en")).toBe("1.5 KB");
    expect(humanSize(150 * 1024, "en")).toBe("150 KB");
    expect(humanSize(128 * 1024 * 1024, "en")).toBe("128 MB");
    expect(humanSize(1024 * 1024 - 1, "en")).toBe("1 MB");
    expect(humanSize(3.25 * 1024 ** 3, "en")).toBe("3.3 GB");
    expect(humanSize(-5, "en")).toBe("0 B");
  });

  it("speaks Persian with Persian digits in fa", () => {
    expect(humanSize(1536, "fa")).toBe("۱٫۵ کیلوبایت");
    expect(humanSize(12 * 1024 * 1024, "fa")).toBe("۱۲ مگابایت");
    expect(humanSize(300, "fa")).toBe("۳۰۰ بایت");
    expect(dimensions(1920, 1080, "fa")).toBe("۱۹۲۰ × ۱۰۸۰");
    expect(dimensions(1920, 1080, "en")).toBe("1920 × 1080");
    expect(dimensions(0, 0, "en")).toBe("");
  });
});

describe("the library's URL", () => {
  it("round-trips filters, page and view, leaving defaults out", () => {
    const f = { ...defaultMediaFilters, page: 3, pageSize: 48, view: "list" as const, kind: "image" as const, status: "ready" as const, q: "logo", from: "2026-11-01", to: "2026-11-28" };
    const qs = mediaFiltersToSearch(f);
    expect(qs).toBe("view=list&page=3&page_size=48&kind=image&status=ready&q=logo&from=2026-11-01&to=2026-11-28");
    expect(mediaFiltersFromSearch(new URLSearchParams(qs))).toEqual(f);
    expect(mediaFiltersToSearch(defaultMediaFilters)).toBe("");
  });

  it("drops values the API would refuse instead of sending them", () => {
    const f = mediaFiltersFromSearch(new URLSearchParams("page=-2&page_size=1000&view=table&kind=spreadsheet&status=done&from=28/11/2026&to=2026-13"));
    expect(f).toEqual(defaultMediaFilters);
    expect(mediaFiltersFromSearch(new URLSearchParams("q=" + "x".repeat(300))).q).toHaveLength(200);
  });

  it("turns the inclusive day range into the API's instants", () => {
    const q = mediaApiQuery({ ...defaultMediaFilters, from: "2026-11-01", to: "2026-11-01", q: "  " });
    expect(new Date(q.to!).getTime() - new Date(q.from!).getTime()).toBe(24 * 3600 * 1000);
    expect(q.q).toBeUndefined();
    expect(q.kind).toBeUndefined();
    expect(q.page_size).toBe(24);
  });

  it("picks the thumbnail of the asked side, or the other one", () => {
    expect(thumbnailOf({ thumbnails: { "256": "/s", "1024": "/l" } }, "1024")).toBe("/l");
    expect(thumbnailOf({ thumbnails: { "256": "/s" } }, "1024")).toBe("/s");
    expect(thumbnailOf({ thumbnails: {} }, "256")).toBeNull();
  });
});

describe("the upload queue", () => {
  it("walks a file through request, send, complete and processing", () => {
    let s = run([{ type: "add", items: [{ key: "a", file: file("a.png", 2000) }] }]);
    expect(s[0]).toMatchObject({ phase: "queued", resume: "request", loaded: 0, total: 2000 });
    s = run([{ type: "start", key: "a", step: "request" }], s);
    expect(s[0].phase).toBe("requesting");
    s = run([{ type: "requested", key: "a", media: media(7), signed: signed("2026-11-28T10:10:00Z") }], s);
    expect(s[0]).toMatchObject({ phase: "sending", mediaId: 7 });
    s = run([{ type: "progress", key: "a", loaded: 500, total: 2000 }], s);
    expect(percentOf(s[0])).toBe(25);
    s = run([{ type: "progress", key: "a", loaded: 5000, total: 2000 }], s);
    expect(percentOf(s[0])).toBe(100);
    s = run([{ type: "sent", key: "a" }], s);
    expect(s[0].phase).toBe("completing");
    s = run([{ type: "completed", key: "a", media: media(7, "scanning") }], s);
    expect(s[0].phase).toBe("processing");
    expect(s[0].media?.status).toBe("scanning");
    expect(percentOf(s[0])).toBe(100);
  });

  it("ignores answers that arrive after a cancel, and repeated actions change nothing", () => {
    let s = run([{ type: "add", items: [{ key: "a", file: file("a.png") }] }, { type: "start", key: "a", step: "request" }, { type: "cancel", key: "a" }]);
    expect(s[0].phase).toBe("cancelled");
    const before = s;
    s = run([{ type: "requested", key: "a", media: media(1), signed: signed("2026-11-28T10:10:00Z") }, { type: "progress", key: "a", loaded: 1, total: 2 }, { type: "completed", key: "a", media: media(1, "scanning") }, { type: "cancel", key: "a" }], s);
    expect(s).toBe(before);
    // a failure of a step the item is not in is ignored too
    expect(run([{ type: "failed", key: "a", step: "send", error: { code: "NETWORK", message: "", fields: {}, status: 0 } }], s)).toBe(before);
  });

  it("keeps the failed step and the server's field errors, and retries where it failed", () => {
    const err = { code: "VALIDATION_FAILED", message: "invalid", fields: { content_type: "is not allowed" }, status: 422 };
    let s = run([{ type: "add", items: [{ key: "a", file: file("a.html") }] }, { type: "start", key: "a", step: "request" }, { type: "failed", key: "a", step: "request", error: err }]);
    expect(s[0]).toMatchObject({ phase: "error", failedAt: "request", error: err });
    s = run([{ type: "retry", key: "a", now: NOW }], s);
    expect(s[0]).toMatchObject({ phase: "queued", resume: "request", error: undefined });

    // a send that failed resumes with the same signed request while it lasts
    const sending: Item = { key: "b", file: file("b.png"), phase: "sending", resume: "request", loaded: 10, total: 1000, mediaId: 9, signed: signed("2026-11-28T10:05:00Z") };
    s = run([{ type: "failed", key: "b", step: "send", error: { code: "NETWORK", message: "", fields: {}, status: 0 } }], [sending]);
    expect(run([{ type: "retry", key: "b", now: NOW }], s)[0].resume).toBe("send");
    // …and starts over once the signature is (nearly) expired
    expect(run([{ type: "retry", key: "b", now: NOW + 4.5 * 60_000 }], s)[0].resume).toBe("request");
    // a failed complete is only repeated
    expect(retryStep({ failedAt: "complete", mediaId: 9, phase: "error" }, NOW)).toBe("complete");
    // a cancelled send resumes like a failed one
    expect(retryStep({ phase: "cancelled", mediaId: 9, signed: signed("2026-11-28T10:05:00Z") }, NOW)).toBe("send");
    expect(retryStep({ phase: "cancelled" }, NOW)).toBe("request");
  });

  it("runs at most a few at once, oldest first, and never removes a running upload", () => {
    let s = run([{ type: "add", items: ["a", "b", "c", "d", "e"].map((k) => ({ key: k, file: file(k) })) }]);
    expect(nextToStart(s).map((i) => i.key)).toEqual(["a", "b", "c"].slice(0, maxParallel));
    s = run([{ type: "start", key: "a", step: "request" }, { type: "start", key: "b", step: "request" }], s);
    expect(nextToStart(s).map((i) => i.key)).toEqual(["c"]);
    s = run([{ type: "start", key: "c", step: "request" }], s);
    expect(nextToStart(s)).toEqual([]);
    expect(run([{ type: "remove", key: "a" }], s)).toBe(s);
    s = run([{ type: "cancel", key: "a" }, { type: "clear" }], s);
    expect(s.map((i) => i.key)).toEqual(["b", "c", "d", "e"]);
  });
});

describe("the signed upload request", () => {
  const origin = "https://panel.example.com";
  it("carries the CSRF token only to this origin", () => {
    expect(isSameOrigin("/api/storage/abc", origin)).toBe(true);
    expect(isSameOrigin("https://panel.example.com/api/storage/abc", origin)).toBe(true);
    expect(isSameOrigin("https://bucket.s3.example.com/k?X-Amz-Signature=1", origin)).toBe(false);
    expect(uploadHeaders({ url: "/api/storage/abc", headers: { "Content-Type": "image/png", "Content-Length": "5" } }, origin, "tok"))
      .toEqual({ "Content-Type": "image/png", "X-CSRF-Token": "tok" });
    expect(uploadHeaders({ url: "https://bucket.s3.example.com/k", headers: { "Content-Type": "image/png", "x-amz-acl": "private" } }, origin, "tok"))
      .toEqual({ "Content-Type": "image/png", "x-amz-acl": "private" });
  });

  it("explains each refused field", () => {
    const lines = uploadErrorLines({ code: "VALIDATION_FAILED", message: "invalid", status: 422, fields: { content_type: "is not allowed; allowed: image/png", size: "must be at most 128 MiB" } }, t);
    expect(lines).toEqual([
      { text: "This type of file is not accepted.", detail: "is not allowed; allowed: image/png" },
      { text: "The file is too large.", detail: "must be at most 128 MiB" },
    ]);
    expect(uploadErrorLines({ code: "NETWORK", message: "", fields: {}, status: 0 }, t)).toEqual([{ text: "The connection failed; try again." }]);
    // a refusal the app knows by its field reason is told in its own words
    const heic = uploadErrorLines({ code: "VALIDATION_FAILED", message: "invalid", status: 422,
      fields: { content_type: "HEIC, HEIF and AVIF images are not accepted (server English)" }, fieldReasons: { content_type: "image_type_not_supported" } }, t);
    expect(heic).toEqual([{ text: en["media.err.content_type"], detail: en["media.err.imageTypeNotSupported"] }]);
  });
});

describe("rejection reasons", () => {
  it("are told from the reason code in the reader's language, never the server's English", () => {
    const m = { ...media(1, "rejected"), reason: "mediaproc: file content does not match its declared type", reason_code: "type_mismatch" };
    render(<I18nProvider><ReasonLine m={m} /></I18nProvider>); // Persian is the default
    const line = screen.getByTestId("media-reason");
    expect(line.textContent).toBe(fa["media.reasonCode.type_mismatch"]);
    expect(line.textContent).not.toContain("mediaproc");
  });

  it("have a message for every code in both languages, and a generic one for codes this app does not know", () => {
    for (const code of mediaReasonCodes) {
      const key = reasonKey({ reason: "x", reason_code: code });
      expect(key).toBe(`media.reasonCode.${code}`);
      expect(fa[key!]).toBeTruthy();
      expect(en[key!]).toBeTruthy();
    }
    expect(reasonKey({ reason: "from an older server", reason_code: "" })).toBe("media.reasonCode.unknown");
    expect(reasonKey({ reason: "x", reason_code: "brand_new" })).toBe("media.reasonCode.unknown");
    expect(reasonKey({ reason: "", reason_code: "" })).toBeNull();
  });
});

describe("media badges", () => {
  it("name the status and mark files no scanner looked at", () => {
    window.localStorage.setItem("pishkhan.locale", "fa");
    render(<I18nProvider><MediaBadges status="ready" scan="not_scanned" /><MediaBadges status="rejected" scan="clean" /></I18nProvider>);
    expect(screen.getByText("آماده").closest("[data-media-status]")?.getAttribute("data-media-status")).toBe("ready");
    expect(screen.getByText("ردشده")).toBeTruthy();
    expect(screen.getAllByTestId("not-scanned")).toHaveLength(1);
  });

  it("have every media string in both languages", () => {
    const inFa = Object.keys(fa).filter((k) => k.startsWith("media."));
    const inEn = Object.keys(en).filter((k) => k.startsWith("media."));
    expect(inFa.sort()).toEqual(inEn.sort());
  });
});
