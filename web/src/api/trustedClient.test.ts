import { afterEach, describe, expect, it, vi } from "vitest";

// A production build's client, as the browser runs it: every operation goes out as its trusted document's id.

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.resetModules();
});

async function productionClient() {
  vi.stubEnv("PROD", true);
  vi.resetModules();
  vi.stubGlobal("document", { cookie: "wg_csrf=tok" });
  const bodies: Record<string, unknown>[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (_input: RequestInfo | URL, init?: RequestInit) => {
      bodies.push(JSON.parse(String(init?.body ?? "{}")) as Record<string, unknown>);
      return new Response(JSON.stringify({ data: { viewer: null } }), {
        headers: { "content-type": "application/json" },
      });
    }),
  );
  const client = await import("./client");
  const operations = await import("./operations");
  return { client, operations, bodies };
}

describe("a production build", () => {
  it("sends a query's id and not its text", async () => {
    const { client, operations, bodies } = await productionClient();
    const portal = client.createPortalClient();
    await portal.client.query(operations.ViewerDocument, {}).toPromise();
    portal.dispose();
    const [first] = bodies;
    expect(first?.["query"]).toBeUndefined();
    expect(first?.["operationName"]).toBe("Viewer");
    const hash = (operations.ViewerDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;
    expect(first?.["extensions"]).toEqual({ persistedQuery: { version: 1, sha256Hash: hash.slice(7) } });
  });

  it("refreshes the session by id too", async () => {
    const { client, bodies } = await productionClient();
    await client.refreshSession();
    expect(bodies[0]?.["query"]).toBeUndefined();
    expect(bodies[0]?.["extensions"]).toMatchObject({ persistedQuery: { version: 1 } });
  });
});
