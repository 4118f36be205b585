import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api/client";
import { makeQueryClient } from "@/lib/query";

function Probe({ fn }: { fn: () => Promise<string> }) {
  const q = useQuery({ queryKey: ["probe"], queryFn: fn });
  return <p>{q.isSuccess ? q.data : q.isError ? "error" : "loading"}</p>;
}

describe("the query client keeps no cache", () => {
  it("refetches when a screen is remounted instead of serving cached data", async () => {
    const client = makeQueryClient();
    let n = 0;
    const fn = vi.fn(async () => `answer ${++n}`);
    const first = render(<QueryClientProvider client={client}><Probe fn={fn} /></QueryClientProvider>);
    await screen.findByText("answer 1");
    first.unmount();
    await new Promise((r) => setTimeout(r, 0)); // navigating away and back takes at least a tick
    render(<QueryClientProvider client={client}><Probe fn={fn} /></QueryClientProvider>);
    // nothing is shown from a client cache: the remount starts loading again
    expect(screen.getByText("loading")).toBeTruthy();
    await screen.findByText("answer 2");
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it("uses staleTime 0 and gcTime 0", () => {
    const d = makeQueryClient().getDefaultOptions();
    expect(d.queries?.staleTime).toBe(0);
    expect(d.queries?.gcTime).toBe(0);
    expect(d.mutations?.retry).toBe(false);
  });

  it("retries once on a server error, never on a 4xx", async () => {
    const retry = makeQueryClient().getDefaultOptions().queries?.retry as (n: number, e: unknown) => boolean;
    expect(retry(0, new ApiError(503, "UNAVAILABLE", "down"))).toBe(true);
    expect(retry(1, new ApiError(503, "UNAVAILABLE", "down"))).toBe(false);
    expect(retry(0, new ApiError(404, "NOT_FOUND", "gone"))).toBe(false);
    expect(retry(0, new ApiError(422, "VALIDATION_FAILED", "bad"))).toBe(false);
  });

  it("sends the user to the login page on a 401, remembering where they were", async () => {
    const assign = vi.fn();
    Object.defineProperty(window, "location", { value: { pathname: "/orders", search: "?page=2", assign }, writable: true });
    const client = makeQueryClient();
    render(<QueryClientProvider client={client}><Probe fn={() => Promise.reject(new ApiError(401, "UNAUTHENTICATED", "log in"))} /></QueryClientProvider>);
    await screen.findByText("error");
    await waitFor(() => expect(assign).toHaveBeenCalledWith("/login?next=" + encodeURIComponent("/orders?page=2")));
  });
});
