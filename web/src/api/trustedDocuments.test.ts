import { describe, expect, it } from "vitest";
import { documentId, persistedQuery } from "./trusted";
import { RefreshSessionDocument } from "./operations";
// @ts-expect-error: a plain ES module script without type declarations
import { checkedIn, manifest } from "../../scripts/trusted-documents.mjs";

describe("trusted documents", () => {
  it("the BFF's manifest holds exactly the operations of this build (run `npm run trusted-documents`)", () => {
    expect(checkedIn()).toBe(manifest());
  });

  it("every generated document carries its id, and the manifest has it", () => {
    const documents = JSON.parse(manifest()) as Record<string, string>;
    const id = documentId(RefreshSessionDocument);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(documents[id ?? ""]).toContain("mutation RefreshSession");
  });

  it("a production build names the document, a development build sends its text", () => {
    const hex = documentId(RefreshSessionDocument)?.slice(7);
    expect(persistedQuery(RefreshSessionDocument, true)).toEqual({ persistedQuery: { version: 1, sha256Hash: hex } });
    expect(persistedQuery(RefreshSessionDocument, false)).toBeUndefined();
    expect(persistedQuery({ kind: "Document", definitions: [] }, true)).toBeUndefined();
  });
});
