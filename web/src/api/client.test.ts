import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { onSessionExpired, portalFetch } from "./client";

// portalFetch is what every GraphQL POST goes through: CSRF header at request time, one refresh-and-retry when
// the session is missing, and the login screen only when the refresh token is refused.

interface Call {
  operation: string | undefined;
  csrf: string | null;
  credentials: RequestCredentials | undefined;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function install(responder: (operation: string | undefined, n: number) => Response): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (_input: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body ?? "{}")) as { operationName?: string };
      const headers = new Headers(init?.headers);
      calls.push({ operation: body.operationName, csrf: headers.get("X-CSRF-Token"), credentials: init?.credentials });
      return responder(body.operationName, calls.length);
    }),
  );
  return calls;
}

const post = (operationName: string) =>
  portalFetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ operationName, query: "query { viewer { role } }" }),
  });

let expired = 0;
let stopListening: () => void = () => undefined;

beforeEach(() => {
  vi.stubGlobal("document", { cookie: "other=1; wg_csrf=tok%2Ben" });
  expired = 0;
  stopListening = onSessionExpired(() => {
    expired += 1;
  });
});

afterEach(() => {
  stopListening();
  vi.unstubAllGlobals();
});

describe("portalFetch", () => {
  it("sends the CSRF cookie value and same-origin credentials", async () => {
    const calls = install(() => json({ data: { viewer: { role: "OWNER" } } }));
    await post("Dashboard");
    expect(calls).toEqual([{ operation: "Dashboard", csrf: "tok+en", credentials: "same-origin" }]);
  });

  it("refreshes once and retries when the session is missing", async () => {
    const calls = install((op, n) => {
      if (op === "RefreshSession") return json({ data: { refreshSession: { viewer: { role: "OWNER" }, userErrors: [] } } });
      return n === 1
        ? json({ errors: [{ message: "You need to log in.", extensions: { code: "UNAUTHENTICATED" } }], data: null })
        : json({ data: { viewer: { role: "OWNER" } } });
    });
    const response = await post("Dashboard");
    expect(calls.map((c) => c.operation)).toEqual(["Dashboard", "RefreshSession", "Dashboard"]);
    expect(await response.json()).toEqual({ data: { viewer: { role: "OWNER" } } });
    expect(expired).toBe(0);
  });

  it("treats viewer: null without errors as an expired access token", async () => {
    const calls = install((op) =>
      op === "RefreshSession"
        ? json({ data: { refreshSession: { viewer: null, userErrors: [{ code: "INVALID_REFRESH_TOKEN", message: "x" }] } } })
        : json({ data: { viewer: null } }),
    );
    const response = await post("Viewer");
    expect(calls.map((c) => c.operation)).toEqual(["Viewer", "RefreshSession"]);
    expect(await response.json()).toEqual({ data: { viewer: null } });
    expect(expired).toBe(1);
  });

  it("keeps the session when the refresh itself hits an outage", async () => {
    const calls = install((op) =>
      op === "RefreshSession"
        ? json({ errors: [{ message: "down", extensions: { code: "BACKEND_UNAVAILABLE" } }], data: null })
        : json({ errors: [{ message: "x", extensions: { code: "UNAUTHENTICATED" } }], data: null }),
    );
    await post("Dashboard");
    expect(calls.map((c) => c.operation)).toEqual(["Dashboard", "RefreshSession"]);
    expect(expired).toBe(0);
  });

  it("does not refresh for an outage that nulls the viewer", async () => {
    const calls = install(() =>
      json({ data: { viewer: null }, errors: [{ message: "billing: down", extensions: { code: "BACKEND_UNAVAILABLE" } }] }),
    );
    await post("Dashboard");
    expect(calls.map((c) => c.operation)).toEqual(["Dashboard"]);
  });

  it("never refreshes around the session operations themselves", async () => {
    const calls = install(() => json({ errors: [{ message: "x", extensions: { code: "UNAUTHENTICATED" } }], data: null }));
    await post("Login");
    await post("Logout");
    expect(calls.map((c) => c.operation)).toEqual(["Login", "Logout"]);
  });

  it("shares one refresh between concurrent requests", async () => {
    let refreshed = false;
    const calls = install((op) => {
      if (op === "RefreshSession") {
        refreshed = true;
        return json({ data: { refreshSession: { viewer: { role: "OWNER" }, userErrors: [] } } });
      }
      return refreshed
        ? json({ data: { viewer: { role: "OWNER" } } })
        : json({ errors: [{ message: "x", extensions: { code: "UNAUTHENTICATED" } }], data: null });
    });
    await Promise.all([post("A"), post("B"), post("C")]);
    expect(calls.filter((c) => c.operation === "RefreshSession")).toHaveLength(1);
    expect(calls).toHaveLength(7); // 3 originals, 1 refresh, 3 retries
    expect(expired).toBe(0);
  });
});
