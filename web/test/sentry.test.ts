import { describe, expect, it } from "vitest";
import { scrub } from "@/lib/sentry";

describe("browser error reports", () => {
  it("keep the page without its query and the user id, nothing else of the request or user", () => {
    const event = scrub({
      request: {
        url: "https://panel.example/orders?customer=buyer@example.com&token=s3cr3t#x",
        method: "GET",
        headers: { Cookie: "pishkhan_session=s3cr3t", "User-Agent": "x" },
        cookies: { pishkhan_session: "s3cr3t" },
        query_string: "token=s3cr3t",
        data: "{\"password\":\"s3cr3t\"}",
      },
      user: { id: 7, email: "root@example.com", ip_address: "10.0.0.1" } as { id: number },
      breadcrumbs: [{ data: { url: "/api/orders?q=buyer@example.com", from: "/a?x=1", to: "/b?token=s3cr3t", method: "GET" } }],
    });
    const sent = JSON.stringify(event);
    expect(sent).not.toMatch(/s3cr3t|example\.com\?|buyer@|root@|10\.0\.0\.1|Cookie|User-Agent/);
    expect(event.request).toEqual({ url: "https://panel.example/orders", method: "GET" });
    expect(event.user).toEqual({ id: 7 });
    expect(event.breadcrumbs?.[0].data).toEqual({ url: "/api/orders", from: "/a", to: "/b", method: "GET" });
  });
});

describe("browser error reports, beyond the request", () => {
  it("carry no email, token or console argument in messages, exceptions, breadcrumbs or frames", () => {
    const event = scrub({
      message: "could not invite new.hire@example.com",
      exception: {
        values: [{
          type: "Error",
          value: "a user with the email buyer@example.com exists",
          stacktrace: { frames: [{ filename: "https://panel.example/invite?token=s3cr3t-invite", abs_path: "https://panel.example/invite?token=s3cr3t-invite#x", lineno: 3 }] },
        }],
      },
      breadcrumbs: [
        { category: "console", message: "set-password for root@example.com", data: { arguments: ["token", "s3cr3t-console"], logger: "console" } },
        { category: "fetch", data: { url: "/api/auth/invite?token=s3cr3t-fetch", method: "GET", status_code: 404 } },
      ],
    });
    const sent = JSON.stringify(event);
    expect(sent).not.toMatch(/s3cr3t|example\.com/);
    expect(event.message).toBe("could not invite [email]");
    expect(event.exception?.values?.[0].value).toBe("a user with the email [email] exists");
    expect(event.exception?.values?.[0].stacktrace?.frames?.[0]).toEqual({ filename: "https://panel.example/invite", abs_path: "https://panel.example/invite", lineno: 3 });
    expect(event.breadcrumbs?.[0]).toEqual({ category: "console", message: "set-password for [email]" });
    expect(event.breadcrumbs?.[1].data).toEqual({ url: "/api/auth/invite", method: "GET", status_code: 404 });
  });
});
