import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { sessionKeys, tokenKeys } from "@/features/account/api";
import { onResourceEvent, resourceKeys } from "@/lib/events";
import { makeQueryClient } from "@/lib/query";

function Probe({ name, qk, fn }: { name: string; qk: readonly unknown[]; fn: () => Promise<unknown> }) {
  const q = useQuery({ queryKey: qk, queryFn: fn });
  return <p data-testid={name}>{q.isSuccess ? "ok" : "…"}</p>;
}

async function setup() {
  const client = makeQueryClient();
  const calls = { sessions: 0, allSessions: 0, tokens: 0, orders: 0 };
  render(
    <QueryClientProvider client={client}>
      <Probe name="sessions" qk={sessionKeys.list(false, 1)} fn={async () => ++calls.sessions} />
      <Probe name="allSessions" qk={sessionKeys.list(true, 2)} fn={async () => ++calls.allSessions} />
      <Probe name="tokens" qk={tokenKeys.list(1)} fn={async () => ++calls.tokens} />
      <Probe name="orders" qk={["orders", "list", {}]} fn={async () => ++calls.orders} />
    </QueryClientProvider>,
  );
  for (const n of ["sessions", "allSessions", "tokens", "orders"]) await waitFor(() => expect(screen.getByTestId(n).textContent).toBe("ok"));
  return { client, calls };
}

describe("live session and token lists", () => {
  it("are listened for", () => {
    expect(resourceKeys.sessions).toContainEqual(sessionKeys.all);
    expect(resourceKeys.tokens).toContainEqual(tokenKeys.all);
  });

  it("a sessions event refetches both session lists and nothing else", async () => {
    const { client, calls } = await setup();
    await onResourceEvent(client, "sessions");
    await waitFor(() => expect(calls).toEqual({ sessions: 2, allSessions: 2, tokens: 1, orders: 1 }));
  });

  it("a tokens event refetches the token list and nothing else", async () => {
    const { client, calls } = await setup();
    await onResourceEvent(client, "tokens");
    await waitFor(() => expect(calls).toEqual({ sessions: 1, allSessions: 1, tokens: 2, orders: 1 }));
  });
});
