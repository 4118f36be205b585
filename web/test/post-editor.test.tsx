import { QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PostEditor } from "@/features/posts";
import { diffWords } from "@/features/posts/diff";
import { I18nProvider } from "@/lib/i18n";
import { makeQueryClient } from "@/lib/query";
import { ToastProvider } from "@/lib/toast";

vi.mock("next/navigation", () => ({ useRouter: () => ({ push: vi.fn(), replace: vi.fn() }) }));
afterEach(() => vi.unstubAllGlobals());
// a whole editor per test, typed into: slow on a busy machine (2 cores shared), never a hang
vi.setConfig({ testTimeout: 20_000 });

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
const refuse = (status: number, code: string) => json(status, { status: "error", code, message: code, request_id: "r" });

type Req = { method: string; path: string; ifMatch: string | null; body: unknown };

/** A server holding post 7; PATCH honours If-Match against the current revision's ETag. */
type Rev = { number: number; author: { id: number; name: string } | null; reason: string; created_at: string; snapshot: Record<string, unknown> };

function serve(opts: { autosave?: unknown; editors?: { id: number; name: string }[]; post?: Record<string, unknown>; revisions?: (base: Record<string, unknown>) => Rev[] } = {}) {
  const post = {
    id: 7, title: "Hello", slug: "hello", lang: "en", body_md: "one two", body_html: "", excerpt: "e0", cover_media_id: null,
    tags: [], categories: [], authors: [{ id: 1, name: "Me" }], status: "draft", publish_at: null, unpublish_at: null, published_at: null,
    seo: { title: "", description: "", canonical_url: "", og_image_media_id: null }, translation_of: null, revision: 1,
    created_at: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T10:00:00Z", live_revision: null as number | null,
    ...opts.post,
  };
  const reqs: Req[] = [];
  const down = { on: false };
  const etag = () => `"r${post.revision}"`;
  const snap = { title: post.title, slug: post.slug, lang: post.lang, body_md: post.body_md, excerpt: post.excerpt, cover_media_id: null, tags: [], categories: [], authors: [1], seo: post.seo, translation_of: null };
  const revisions: Rev[] = opts.revisions?.(snap) ?? [{ number: 1, author: { id: 1, name: "Me" }, reason: "created", created_at: post.created_at, snapshot: snap }];
  vi.stubGlobal("fetch", vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    const text = req.method === "GET" || req.method === "DELETE" ? "" : await req.text();
    const body = text ? JSON.parse(text) : undefined;
    reqs.push({ method: req.method, path, ifMatch: req.headers.get("If-Match"), body });
    if (path === "/api/auth/me") return json(200, { id: 1, email: "me@example.com", name: "Me", is_superuser: true, permissions: [], csrf_token: "c", roles: [] });
    if (path === "/api/posts/7" && req.method === "GET") return down.on ? refuse(503, "UNAVAILABLE") : json(200, post, { ETag: etag() });
    if (path === "/api/posts/7" && req.method === "PATCH") {
      if (req.headers.get("If-Match") !== etag()) return refuse(412, "PRECONDITION_FAILED");
      const fields = { ...(body as Record<string, unknown>) };
      delete fields.revision_reason;
      Object.assign(post, fields, { authors: post.authors, revision: post.revision + 1, updated_at: new Date().toISOString() });
      return json(200, post, { ETag: etag() });
    }
    if (path === "/api/posts/7/autosave" && req.method === "GET") return opts.autosave ? json(200, opts.autosave) : refuse(404, "NOT_FOUND");
    if (path === "/api/posts/7/autosave") return json(200, { post_id: 7, base_revision: post.revision, stale: false, updated_at: new Date().toISOString(), ...(body as object) });
    if (path === "/api/posts/7/publish-changes") {
      post.live_revision = post.revision;
      return json(200, post, { ETag: etag() });
    }
    if (path === "/api/posts/7/presence" && req.method === "PUT") return json(200, { editors: opts.editors ?? [] });
    if (path === "/api/posts/7/presence") return new Response(null, { status: 204 });
    if (path === "/api/posts/7/revisions") return json(200, { items: revisions.map((r) => ({ number: r.number, author: r.author, reason: r.reason, created_at: r.created_at })).reverse() });
    if (path === "/api/posts/7/revisions/diff") {
      const q = new URL(req.url).searchParams;
      const [a, b] = ["from", "to"].map((k) => revisions.find((x) => x.number === Number(q.get(k))));
      if (!a || !b) return refuse(404, "NOT_FOUND");
      // the server's word diffs (textdiff.Words; diffWords is the same model), and the other fields' names
      const words = (f: string) => diffWords(String(a.snapshot[f] ?? ""), String(b.snapshot[f] ?? ""));
      return json(200, { from: a.number, to: b.number, ops: words("body_md"), title: words("title"), excerpt: words("excerpt"), changed: [] });
    }
    const rev = /^\/api\/posts\/7\/revisions\/(\d+)(\/restore)?$/.exec(path);
    if (rev && !rev[2]) {
      const r = revisions.find((x) => x.number === Number(rev[1]));
      return r ? json(200, r) : refuse(404, "NOT_FOUND");
    }
    if (rev && rev[2]) {
      if (req.headers.get("If-Match") !== etag()) return refuse(412, "PRECONDITION_FAILED");
      Object.assign(post, revisions.find((x) => x.number === Number(rev[1]))!.snapshot, { authors: post.authors, revision: post.revision + 1 });
      return json(200, post, { ETag: etag() });
    }
    if (path === "/api/posts/7/transition") {
      post.status = (body as { to: string }).to;
      return json(200, post);
    }
    if (path === "/api/content/render") {
      const md = (body as { markdown: string }).markdown;
      return json(200, { html: `<p class="from-server">${md.replace(/</g, "&lt;")}</p>` });
    }
    return refuse(404, "NOT_FOUND");
  }));
  /** Someone else saves meanwhile. */
  const otherSaves = (patch: Record<string, unknown>) => Object.assign(post, patch, { revision: post.revision + 1, updated_at: new Date().toISOString() });
  return { reqs, post, otherSaves, down };
}

function open(client = makeQueryClient()) {
  window.localStorage.setItem("pishkhan.locale", "en");
  return render(
    <QueryClientProvider client={client}>
      <I18nProvider><ToastProvider><PostEditor id={7} /></ToastProvider></I18nProvider>
    </QueryClientProvider>,
  );
}

const patches = (reqs: Req[]) => reqs.filter((r) => r.method === "PATCH");

describe("saving over someone else's save (412)", () => {
  it("shows what changed field by field and saves the chosen merge over their version", async () => {
    const { reqs, otherSaves } = serve();
    open();
    await userEvent.type(await screen.findByTestId("title"), "!");
    otherSaves({ excerpt: "their excerpt", body_md: "one two three" });
    await userEvent.click(screen.getByTestId("save"));

    const dialog = await screen.findByTestId("conflict-dialog");
    expect(patches(reqs)[0].ifMatch).toBe('"r1"');
    const rows = [...dialog.querySelectorAll("[data-field]")].map((e) => e.getAttribute("data-field"));
    expect(rows.sort()).toEqual(["body_md", "excerpt", "title"]);
    const excerpt = dialog.querySelector('[data-field="excerpt"]') as HTMLElement;
    expect(excerpt.textContent).toContain("only they changed it");
    expect(within(excerpt).getByLabelText("Take theirs")).toHaveProperty("checked", true);
    // the body as a word diff from theirs to mine: "three" is theirs only
    expect(within(dialog).getByTestId("conflict-body-diff").querySelector("del")?.textContent).toContain("three");

    // keep my body after all (the default takes their change of it)
    await userEvent.click(within(dialog.querySelector('[data-field="body_md"]') as HTMLElement).getByLabelText("Keep mine"));
    await userEvent.click(within(dialog).getByTestId("conflict-merge"));
    await waitFor(() => expect(patches(reqs)).toHaveLength(2));
    const merged = patches(reqs)[1];
    expect(merged.ifMatch).toBe('"r2"');
    expect(merged.body).toMatchObject({ title: "Hello!", excerpt: "their excerpt", body_md: "one two" });
    await waitFor(() => expect(screen.queryByTestId("conflict-dialog")).toBeNull());
    expect(await screen.findByText("Post saved.")).toBeTruthy();
  });

  it("overwrite sends everything as mine, still naming the version it overwrites", async () => {
    const { reqs, otherSaves } = serve();
    open();
    const title = await screen.findByTestId("title");
    await userEvent.type(title, "!");
    otherSaves({ excerpt: "their excerpt" });
    await userEvent.click(screen.getByTestId("save"));
    await userEvent.click(await screen.findByTestId("conflict-overwrite"));
    await waitFor(() => expect(patches(reqs)).toHaveLength(2));
    expect(patches(reqs)[1]).toMatchObject({ ifMatch: '"r2"', body: { title: "Hello!", excerpt: "e0" } });
  });
});

describe("live preview", () => {
  it("renders on the server once typing pauses and shows only the server's answer, each block in its own direction", async () => {
    const { reqs } = serve();
    open();
    const body = (await screen.findByTestId("body-editor")) as HTMLTextAreaElement;
    await waitFor(() => expect(screen.getByTestId("preview").querySelector(".from-server")?.textContent).toBe("one two"));
    await userEvent.type(body, " سه <b>");
    await waitFor(() => expect(screen.getByTestId("preview").querySelector(".from-server")?.textContent).toBe("one two سه <b>"));
    const renders = reqs.filter((r) => r.path === "/api/content/render");
    // one for the opening text, one after the pause: not one per keystroke
    expect(renders.length).toBeLessThanOrEqual(3);
    expect(renders.at(-1)!.body).toEqual({ markdown: "one two سه <b>" });
    const p = screen.getByTestId("preview").querySelector("p")!;
    expect(p.getAttribute("dir")).toBe("auto");
    expect(screen.getByTestId("preview").querySelector("b")).toBeNull(); // the server escaped it; nothing was made here
  });
});

describe("opening the editor", () => {
  it("offers back an autosave newer than the post, and restores it into the form", async () => {
    serve({ autosave: { post_id: 7, snapshot: { body_md: "typed before the tab closed" }, base_revision: 1, stale: false, updated_at: "2026-12-02T08:00:00Z" } });
    open();
    const offer = await screen.findByTestId("autosave-offer");
    await userEvent.click(within(offer).getByRole("button", { name: "Restore it" }));
    expect((screen.getByTestId("body-editor") as HTMLTextAreaElement).value).toBe("typed before the tab closed");
    expect(screen.getByTestId("dirty")).toBeTruthy();
  });

  it("does not offer an autosave the post was saved over", async () => {
    const { reqs } = serve({ autosave: { post_id: 7, snapshot: { body_md: "old" }, base_revision: 1, stale: true, updated_at: "2026-11-30T08:00:00Z" } });
    open();
    await screen.findByTestId("title");
    await waitFor(() => expect(reqs.some((r) => r.path === "/api/posts/7/autosave")).toBe(true));
    expect(screen.queryByTestId("autosave-offer")).toBeNull();
  });

  it("autosaves the form about 2 s after typing stops, without saving the post", async () => {
    const { reqs } = serve();
    open();
    await userEvent.type(await screen.findByTestId("title"), "!");
    expect(reqs.some((r) => r.method === "PUT" && r.path === "/api/posts/7/autosave")).toBe(false);
    await waitFor(() => expect(screen.getByTestId("autosave").getAttribute("data-state")).toBe("saved"), { timeout: 5000 });
    const puts = reqs.filter((r) => r.method === "PUT" && r.path === "/api/posts/7/autosave");
    expect(puts).toHaveLength(1);
    expect(puts[0].body).toMatchObject({ snapshot: { title: "Hello!", slug: "hello", body_md: "one two", authors: [1] } });
    expect(patches(reqs)).toEqual([]);
    expect(screen.getByTestId("autosave").textContent).toMatch(/^Saved \d/);
  });

  it("says who else has the post open, and says goodbye on leaving", async () => {
    const { reqs } = serve({ editors: [{ id: 2, name: "Sara" }] });
    const view = open();
    expect((await screen.findByTestId("presence")).textContent).toContain("Also editing: Sara");
    act(() => view.unmount());
    await waitFor(() => expect(reqs.some((r) => r.method === "DELETE" && r.path === "/api/posts/7/presence")).toBe(true));
  });
});

describe("someone else's save, as a \"posts\" event announces it", () => {
  it("a clean form takes the new version; a dirty one keeps what was typed and offers to merge", async () => {
    const { otherSaves } = serve();
    const client = makeQueryClient();
    open(client);
    const excerpt = () => screen.getByText("Excerpt").parentElement!.querySelector("textarea")!.value;
    await screen.findByTestId("title");
    otherSaves({ excerpt: "theirs 1" });
    await act(() => client.invalidateQueries({ queryKey: ["posts"] }));
    await waitFor(() => expect(excerpt()).toBe("theirs 1"));
    await userEvent.type(screen.getByTestId("title"), "!");
    otherSaves({ excerpt: "theirs 2" });
    await act(() => client.invalidateQueries({ queryKey: ["posts"] }));
    expect(await screen.findByTestId("remote-newer")).toBeTruthy();
    expect((screen.getByTestId("title") as HTMLInputElement).value).toBe("Hello!");
    expect(excerpt()).toBe("theirs 1");
  });

  it("a failed re-read keeps the editor and what was typed", async () => {
    const { down } = serve();
    const client = makeQueryClient();
    open(client);
    await userEvent.type(await screen.findByTestId("title"), "!");
    down.on = true;
    await act(() => client.invalidateQueries({ queryKey: ["posts", "detail", 7] }));
    await waitFor(() => expect(client.getQueryState(["posts", "detail", 7])?.status).toBe("error"), { timeout: 8000 });
    expect((screen.getByTestId("title") as HTMLInputElement).value).toBe("Hello!");
  });
});

describe("revision history", () => {
  const history = (snap: Record<string, unknown>): Rev[] => [
    { number: 1, author: { id: 1, name: "Me" }, reason: "created", created_at: "2026-12-01T09:00:00Z", snapshot: { ...snap, title: "Helo", body_md: "one" } },
    { number: 2, author: null, reason: "typo", created_at: "2026-12-01T10:00:00Z", snapshot: snap },
  ];

  it("lists who saved when and why, and shows what changed between two: other fields and the body word by word", async () => {
    serve({ post: { revision: 2 }, revisions: history });
    open();
    const list = await screen.findByRole("list", { name: "Revisions, newest first" });
    expect(list.textContent).toContain("Revision 2");
    expect(list.textContent).toContain("unknown"); // no author: the system made it
    expect(list.textContent).toContain("typo");
    const fields = await screen.findByTestId("revision-fields");
    expect(fields.textContent).toContain("Title");
    expect(fields.querySelector("del")?.textContent).toContain("Helo");
    expect(fields.querySelector("ins")?.textContent).toContain("Hello");
    const diff = screen.getByTestId("revision-diff");
    expect(diff.querySelector("ins")?.textContent).toBe("inserted:  two"); // the sr-only word, then the text
    expect(diff.querySelector("ins")?.querySelector(".sr-only")?.textContent).toBe("inserted: ");
    expect(diff.querySelector("p")?.getAttribute("dir")).toBe("ltr"); // by its own text, not the screen-reader words
  });

  it("compares the title and the excerpt word by word, as the server's diff says: kept words stay plain; tags in another order are no change", async () => {
    serve({
      post: { revision: 2, title: "The quick red fox", excerpt: "Short and sweet" },
      revisions: (snap) => [
        // the tags as given at creation, then as the server keeps them (by name): the same set
        { number: 1, author: { id: 1, name: "Me" }, reason: "created", created_at: "2026-12-01T09:00:00Z", snapshot: { ...snap, title: "The quick brown fox", excerpt: "Short and sweet", tags: ["zebra", "apple"] } },
        { number: 2, author: null, reason: "edited", created_at: "2026-12-01T10:00:00Z", snapshot: { ...snap, tags: ["apple", "zebra"] } },
      ],
    });
    open();
    const title = await screen.findByTestId("revision-title-diff");
    expect([...title.querySelectorAll("del")].map((d) => d.textContent)).toEqual(["deleted: brown"]);
    expect([...title.querySelectorAll("ins")].map((d) => d.textContent)).toEqual(["inserted: red"]);
    expect(title.textContent).toContain("The quick ");
    expect(title.getAttribute("dir")).toBe("ltr");
    // an unchanged excerpt is not listed, nor is the title twice (old → new)
    expect(screen.queryByTestId("revision-excerpt-diff")).toBeNull();
    expect(screen.getByTestId("revision-fields").querySelectorAll('[data-field="title"]')).toHaveLength(1);
    expect(screen.getByTestId("revision-fields").querySelector('[data-field="tags"]')).toBeNull();
  });

  it("restore asks first and sends If-Match of the version on screen", async () => {
    const { reqs } = serve({ post: { revision: 2 }, revisions: history });
    open();
    await userEvent.click(await screen.findByRole("button", { name: "Restore revision 1" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("Restore revision 1?");
    await userEvent.click(within(dialog).getByTestId("confirm"));
    await waitFor(() => expect(reqs.find((r) => r.path === "/api/posts/7/revisions/1/restore")).toMatchObject({ method: "POST", ifMatch: '"r2"' }));
    await waitFor(() => expect((screen.getByTestId("title") as HTMLInputElement).value).toBe("Helo"));
  });
});

describe("workflow", () => {
  it("publish asks first, naming the post, and moves only once confirmed", async () => {
    const { reqs } = serve();
    open();
    await userEvent.click(await screen.findByRole("button", { name: "Publish" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("Publish \u2068Hello\u2069?");
    expect(reqs.some((r) => r.path === "/api/posts/7/transition")).toBe(false);
    await userEvent.click(within(dialog).getByTestId("confirm"));
    await waitFor(() => expect(reqs.find((r) => r.path === "/api/posts/7/transition")).toMatchObject({ body: { to: "published" }, ifMatch: '"r1"' }));
  });

  it("a published post with saved changes offers to publish them, asking first", async () => {
    const { reqs } = serve({ post: { status: "published", revision: 3, live_revision: 2 } });
    open();
    expect(await screen.findByTestId("unpublished-changes")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Publish changes" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("Publish the changes to \u2068Hello\u2069?");
    await userEvent.click(within(dialog).getByTestId("confirm"));
    await waitFor(() => expect(reqs.find((r) => r.path === "/api/posts/7/publish-changes")).toMatchObject({ method: "POST", ifMatch: '"r3"' }));
  });

  it("changing the status waits for unsaved changes to be saved", async () => {
    serve();
    open();
    await userEvent.type(await screen.findByTestId("title"), "!");
    expect(screen.getByRole("button", { name: "Publish" })).toHaveProperty("disabled", true);
    expect(screen.getByText("Save your changes before changing the status.")).toBeTruthy();
  });
});
