import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { meKey } from "@/lib/me";
import { authzKeys, onAuthzEvent } from "@/lib/events";
import { makeQueryClient } from "@/lib/query";

function Probe({ name, qk, fn }: { name: string; qk: readonly unknown[]; fn: () => Promise<unknown> }) {
  const q = useQuery({ queryKey: qk, queryFn: fn });
  return <p data-testid={name}>{q.isSuccess ? "ok" : "…"}</p>;
}

async function setup(permsAfter: string[]) {
  const client = makeQueryClient();
  const calls = { me: 0, users: 0, roles: 0, orders: 0 };
  const me = async () => ({ id: 1, is_superuser: false, permissions: calls.me++ === 0 ? ["orders.view", "users.view"] : permsAfter, totp_setup_required: false });
  render(
    <QueryClientProvider client={client}>
      <Probe name="me" qk={meKey} fn={me} />
      <Probe name="users" qk={["users", "list", {}]} fn={async () => ++calls.users} />
      <Probe name="roles" qk={["roles", "list"]} fn={async () => ++calls.roles} />
      <Probe name="orders" qk={["orders", "list", {}]} fn={async () => ++calls.orders} />
    </QueryClientProvider>,
  );
  for (const n of ["me", "users", "roles", "orders"]) await waitFor(() => expect(screen.getByTestId(n).textContent).toBe("ok"));
  return { client, calls };
}

describe("an authz event", () => {
  it("uses useMe's key", () => {
    expect(authzKeys[0]).toEqual(meKey);
  });

  it("refetches who the user is and the users and roles lists, not unrelated data when access is the same", async () => {
    const { client, calls } = await setup(["users.view", "orders.view"]);
    await onAuthzEvent(client);
    expect(calls).toEqual({ me: 2, users: 2, roles: 2, orders: 1 });
  });

  it("refetches everything else too when the user's own access changed", async () => {
    const { client, calls } = await setup(["users.view"]);
    await onAuthzEvent(client);
    expect(calls).toEqual({ me: 2, users: 2, roles: 2, orders: 2 });
  });
});
