import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import { act, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meKey } from "@/lib/me";
import { helloMarginMs, LiveEvents, onHello, type Hello } from "@/lib/events";
import { makeQueryClient } from "@/lib/query";

function Probe({ name, qk, fn }: { name: string; qk: readonly unknown[]; fn: () => Promise<unknown> }) {
  const q = useQuery({ queryKey: qk, queryFn: fn });
  return <p data-testid={name}>{q.isSuccess ? JSON.stringify(q.data) : "…"}</p>;
}

const window2m = 120_000;
const hello = (recent: Hello["recent"], complete_ms = window2m): Hello => ({ recent, complete_ms });

async function setup() {
  const client = makeQueryClient();
  const calls = { orders: 0, media: 0 };
  render(
    <QueryClientProvider client={client}>
      <Probe name="orders" qk={["orders", "list", {}]} fn={async () => ++calls.orders} />
      <Probe name="media" qk={["media", "list", {}]} fn={async () => ++calls.media} />
    </QueryClientProvider>,
  );
  for (const n of ["orders", "media"]) await waitFor(() => expect(screen.getByTestId(n).textContent).not.toBe("…"));
  return { client, calls };
}

describe("the stream's hello", () => {
  it("refetches a query fetched before an event it missed, and only that one", async () => {
    const { client, calls } = await setup();
    await onHello(client, hello([{ resource: "orders", age_ms: 0 }]));
    await waitFor(() => expect(calls).toEqual({ orders: 2, media: 1 }));
  });

  it("refetches nothing on a page load when no event happened since the queries read", async () => {
    const { client, calls } = await setup();
    await onHello(client, hello([]));
    // an event received well before the fetches started is in their data
    await onHello(client, hello([{ resource: "orders", age_ms: 60_000 }]));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual({ orders: 1, media: 1 });
  });

  it("refetches what is older than the list covers (a long outage, a restarted server)", async () => {
    const { client, calls } = await setup();
    await onHello(client, hello([], 10_000), performance.now() + 10_000);
    await waitFor(() => expect(calls).toEqual({ orders: 2, media: 2 }));
  });

  it("of a missed authz event that changed the user's access, refetches every screen", async () => {
    const client = makeQueryClient();
    const calls = { me: 0, orders: 0 };
    const me = async () => ({ id: 1, is_superuser: false, permissions: calls.me++ === 0 ? ["orders.view", "media.view"] : ["orders.view"], totp_setup_required: false });
    render(
      <QueryClientProvider client={client}>
        <Probe name="me" qk={meKey} fn={me} />
        <Probe name="orders" qk={["orders", "list", {}]} fn={async () => ++calls.orders} />
      </QueryClientProvider>,
    );
    for (const n of ["me", "orders"]) await waitFor(() => expect(screen.getByTestId(n).textContent).not.toBe("…"));
    await onHello(client, hello([{ resource: "authz", age_ms: 0 }]));
    await waitFor(() => expect(calls).toEqual({ me: 2, orders: 2 }));
  });

  it("cancels a first fetch in flight that may have read before the event", async () => {
    const client = makeQueryClient();
    let version = 1;
    let calls = 0;
    let letGo = () => {};
    const held = new Promise<void>((r) => (letGo = r));
    const fn = async () => {
      const v = version;
      if (++calls === 1) await held;
      return v;
    };
    render(<QueryClientProvider client={client}><Probe name="orders" qk={["orders", "detail", 1]} fn={fn} /></QueryClientProvider>);
    await waitFor(() => expect(calls).toBe(1));
    version = 2; // a write, announced before the stream connected
    const handled = onHello(client, hello([{ resource: "orders", age_ms: 0 }]));
    letGo();
    await handled;
    await waitFor(() => expect(screen.getByTestId("orders").textContent).toBe("2"));
  });
});

/** A stand-in for the browser's EventSource that the test drives. */
class FakeEventSource {
  static last: FakeEventSource | null = null;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  listeners = new Map<string, ((e: MessageEvent<string>) => void)[]>();
  constructor(public url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(name: string, f: (e: MessageEvent<string>) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), f]);
  }
  close() {}
  open(helloData: Hello) {
    this.onopen?.();
    for (const f of this.listeners.get("hello") ?? []) f(new MessageEvent("hello", { data: JSON.stringify(helloData) }));
  }
}

describe("LiveEvents", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("on open refetches a query fetched before a missed event, and not one fetched after the stream opened", async () => {
    vi.stubGlobal("EventSource", FakeEventSource);
    const client = makeQueryClient();
    const calls = { before: 0, after: 0 };
    const { rerender } = render(
      <QueryClientProvider client={client}>
        <LiveEvents enabled><Probe name="before" qk={["orders", "list", {}]} fn={async () => ++calls.before} /></LiveEvents>
      </QueryClientProvider>,
    );
    await waitFor(() => expect(calls.before).toBe(1));
    // the order event happened after "before" read the server, before the stream connected
    await act(async () => FakeEventSource.last!.open(hello([{ resource: "orders", age_ms: 0 }])));
    await waitFor(() => expect(calls.before).toBe(2));
    rerender(
      <QueryClientProvider client={client}>
        <LiveEvents enabled>
          <Probe name="before" qk={["orders", "list", {}]} fn={async () => ++calls.before} />
          <Probe name="after" qk={["media", "list", {}]} fn={async () => ++calls.after} />
        </LiveEvents>
      </QueryClientProvider>,
    );
    await waitFor(() => expect(calls.after).toBe(1));
    await new Promise((r) => setTimeout(r, 2 * helloMarginMs));
    expect(calls).toEqual({ before: 2, after: 1 });
  });

  it("does not refetch every query when the stream opens on a page load", async () => {
    vi.stubGlobal("EventSource", FakeEventSource);
    const client = makeQueryClient();
    let n = 0;
    render(
      <QueryClientProvider client={client}>
        <LiveEvents enabled><Probe name="page" qk={["orders", "list", {}]} fn={async () => ++n} /></LiveEvents>
      </QueryClientProvider>,
    );
    await waitFor(() => expect(n).toBe(1));
    await act(async () => FakeEventSource.last!.open(hello([])));
    await new Promise((r) => setTimeout(r, 50));
    expect(n).toBe(1);
  });
});
