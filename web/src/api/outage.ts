import type { CombinedError } from "@urql/core";
import { codeOf, type GraphQLErrorLike } from "./errors";

// Partial answers: when one backend is down, the portal still answers everything the others feed; the fields the
// failed backend feeds are null, each with a BACKEND_UNAVAILABLE error at its own path naming the backend
// (`extensions.backend`: billing, crm, aaa, oss). These helpers tell a section which of its data is missing, so it
// can say so in a small notice and keep showing the rest.

interface PathedError extends GraphQLErrorLike {
  path?: readonly (string | number)[] | null;
}

function isOutage(error: GraphQLErrorLike): boolean {
  return codeOf(error) === "BACKEND_UNAVAILABLE";
}

function backendOf(error: GraphQLErrorLike): string {
  const backend = error.extensions?.["backend"];
  return typeof backend === "string" ? backend : "unknown";
}

/**
 * The backends (billing, crm, aaa, oss) that failed somewhere under one of `fields` (field names anywhere in the
 * error's path); under any field when none are given. In a stable order, without duplicates.
 */
export function outages(error: CombinedError | null | undefined, ...fields: string[]): string[] {
  if (!error) return [];
  const found = new Set<string>();
  for (const e of error.graphQLErrors as readonly PathedError[]) {
    if (!isOutage(e)) continue;
    const path = e.path ?? [];
    if (fields.length === 0 || fields.some((f) => path.includes(f))) found.add(backendOf(e));
  }
  return [...found].sort();
}

/**
 * True when the answer is partial and nothing else went wrong: every error is a backend outage at a path. The page
 * then shows what it got, with notices where data is missing, instead of an error banner.
 */
export function onlyOutages(error: CombinedError | null | undefined): boolean {
  if (!error || error.networkError) return false;
  const errors = error.graphQLErrors as readonly PathedError[];
  return errors.length > 0 && errors.every((e) => isOutage(e) && !!e.path?.length);
}
