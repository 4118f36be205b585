import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { meKey } from "@/lib/me";
import { onAuthzEvent, onResourceEvent } from "@/lib/events";
import { makeQueryClient } from "@/lib/query";

function Show({ qk, fn }: { qk: readonly unknown[]; fn: () => Promise<unknown> }) {
  const q = useQuery({ queryKey: qk, queryFn: fn });
  return <p data-testid="shown">{q.isSuccess ? JSON.stringify(q.data) : "…"}</p>;
}

/**
 * A server whose state changes while a query's first fetch is in flight:
 * that fetch has read version 1 and answers only when let go; every later
 * fetch reads the version at that time.
 */
function slowFirstFetch<T>(read: (version: number) => T) {
  let version = 1;
  let calls = 0;
  let letGo = () => {};
  const held = new Promise<void>((r) => (letGo = r));
  const fn = async () => {
    const v = read(version);
    if (++calls === 1) await held;
    return v;
  };
  return { fn, write: () => version++, letGo: () => letGo(), calls: () => calls };
}

describe("an event during a query's first fetch", () => {
  it("ends with the data fetched after the event, not the in-flight answer from before it", async () => {
    const client = makeQueryClient();
    const server = slowFirstFetch((v) => v);
    render(<QueryClientProvider client={client}><Show qk={["media", "detail", 7]} fn={server.fn} /></QueryClientProvider>);
    await waitFor(() => expect(server.calls()).toBe(1));
    server.write();
    const handled = onResourceEvent(client, "media");
    server.letGo();
    await handled;
    await waitFor(() => expect(screen.getByTestId("shown").textContent).toBe("2"));
    expect(server.calls()).toBe(2);
  });

  it("of an authz event, too", async () => {
    const client = makeQueryClient();
    const server = slowFirstFetch((v) => ({ id: 1, is_superuser: false, permissions: v === 1 ? ["orders.view"] : [], totp_setup_required: false }));
    render(<QueryClientProvider client={client}><Show qk={meKey} fn={server.fn} /></QueryClientProvider>);
    await waitFor(() => expect(server.calls()).toBe(1));
    server.write();
    const handled = onAuthzEvent(client);
    server.letGo();
    await handled;
    await waitFor(() => expect(JSON.parse(screen.getByTestId("shown").textContent ?? "{}").permissions).toEqual([]));
  });
});
