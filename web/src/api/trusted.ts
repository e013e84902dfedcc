import type { DocumentNode } from "graphql";

// Trusted documents: a production build names each operation by its id instead of sending its text. The ids are
// graphql-codegen's (`document.__meta__.hash`, "sha256:<hex>"); the same documents are in the BFF's manifest
// (../schema/trusted-documents.json), which runs nothing else in production. Development builds (`vite`) send the
// text, so that an operation being edited runs before the manifest is regenerated.

export const SEND_DOCUMENT_IDS: boolean = import.meta.env.PROD;

/** "sha256:<hex>" of a generated document, or undefined for a document written by hand. */
export function documentId(document: unknown): string | undefined {
  const meta = (document as { __meta__?: { hash?: unknown } } | null)?.__meta__;
  return typeof meta?.hash === "string" && meta.hash.startsWith("sha256:") ? meta.hash : undefined;
}

/** The `extensions` that name a document by its id (Apollo-style `persistedQuery`, which urql and graphql-ws pass
 * through), or undefined when its text must be sent. */
export function persistedQuery(
  document: DocumentNode | unknown,
  send: boolean = SEND_DOCUMENT_IDS,
): { persistedQuery: { version: 1; sha256Hash: string } } | undefined {
  const id = send ? documentId(document) : undefined;
  return id ? { persistedQuery: { version: 1, sha256Hash: id.slice("sha256:".length) } } : undefined;
}
