import {
  Client,
  createRequest,
  fetchExchange,
  makeOperation,
  mapExchange,
  stringifyDocument,
  subscriptionExchange,
} from "@urql/core";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { liveResultsExchange, portalCacheExchange } from "./cache";
import { CSRF_HEADER, csrfToken } from "./csrf";
import { hasCode, type GraphQLErrorLike } from "./errors";
import { LiveConnection } from "./live";
import { RefreshSessionDocument } from "./operations";
import { persistedQuery } from "./trusted";

// One urql client per login session (a fresh cache after every login/logout). HTTP goes through `portalFetch`,
// which adds the CSRF header at request time and transparently refreshes an expired session once.

export const GRAPHQL_PATH = "/graphql";

/** Operations that must never trigger a refresh-and-retry (they *are* the session lifecycle). */
const SESSION_OPERATIONS = new Set(["Login", "RefreshSession", "Logout"]);

let sessionExpiredHandler: () => void = () => undefined;

/** Called when a request needed a session and refreshing it failed: the app shows the login screen. */
export function onSessionExpired(handler: () => void): () => void {
  sessionExpiredHandler = handler;
  return () => {
    if (sessionExpiredHandler === handler) sessionExpiredHandler = () => undefined;
  };
}

function withSessionHeaders(init: RequestInit | undefined): RequestInit {
  const headers = new Headers(init?.headers);
  const token = csrfToken();
  if (token) headers.set(CSRF_HEADER, token);
  return { ...init, headers, credentials: "same-origin" };
}

/** "rejected": no valid refresh token (sign in again); "unavailable": the server could not answer right now. */
type RefreshOutcome = "ok" | "rejected" | "unavailable";

let refreshing: Promise<RefreshOutcome> | null = null;

function refreshBody(): Record<string, unknown> {
  const extensions = persistedQuery(RefreshSessionDocument);
  return extensions
    ? { operationName: "RefreshSession", variables: {}, extensions }
    : { operationName: "RefreshSession", query: stringifyDocument(RefreshSessionDocument), variables: {} };
}

/** In a production build every operation goes out as its trusted document's id (urql then leaves the text out). */
const trustedDocuments = mapExchange({
  onOperation(operation) {
    const extensions = operation.kind === "teardown" ? undefined : persistedQuery(operation.query);
    if (!extensions) return operation;
    return makeOperation(operation.kind, { ...operation, extensions: { ...operation.extensions, ...extensions } }, operation.context);
  },
});

async function postRefresh(): Promise<RefreshOutcome> {
  let response: Response;
  try {
    response = await fetch(
      GRAPHQL_PATH,
      withSessionHeaders({
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json" },
        body: JSON.stringify(refreshBody()),
      }),
    );
  } catch {
    return "unavailable";
  }
  if (response.status >= 500) return "unavailable";
  try {
    const body = (await response.json()) as {
      data?: { refreshSession?: { viewer: unknown; userErrors: unknown[] } | null } | null;
      errors?: GraphQLErrorLike[];
    };
    if (hasCode(body.errors, "BACKEND_UNAVAILABLE")) return "unavailable";
    const payload = body.data?.refreshSession;
    return payload && payload.viewer != null && payload.userErrors.length === 0 ? "ok" : "rejected";
  } catch {
    return response.ok ? "unavailable" : "rejected";
  }
}

/** Rotate the refresh cookie; concurrent callers share one request (a reused refresh token revokes the session). */
export function refreshSession(): Promise<RefreshOutcome> {
  refreshing ??= postRefresh().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function operationNameOf(body: BodyInit | null | undefined): string | undefined {
  if (typeof body !== "string") return undefined;
  try {
    const parsed = JSON.parse(body) as { operationName?: unknown };
    return typeof parsed.operationName === "string" ? parsed.operationName : undefined;
  } catch {
    return undefined;
  }
}

/** Did this response say "no valid session"? (401, an UNAUTHENTICATED error, or `viewer: null`.) */
async function sessionMissing(response: Response): Promise<boolean> {
  if (response.status === 401) return true;
  if (!(response.headers.get("content-type") ?? "").includes("json")) return false;
  try {
    const body = (await response.clone().json()) as {
      data?: Record<string, unknown> | null;
      errors?: GraphQLErrorLike[];
    };
    if (hasCode(body.errors, "UNAUTHENTICATED")) return true;
    // `viewer: null` without any error means "no valid session" (an outage nulls it *with* an error).
    return !body.errors?.length && !!body.data && "viewer" in body.data && body.data["viewer"] === null;
  } catch {
    return false;
  }
}

export const portalFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, withSessionHeaders(init));
  const operation = operationNameOf(init?.body);
  if (operation && SESSION_OPERATIONS.has(operation)) return response;
  if (!(await sessionMissing(response))) return response;
  const outcome = await refreshSession();
  if (outcome === "rejected") sessionExpiredHandler();
  if (outcome !== "ok") return response;
  return fetch(input, withSessionHeaders(init));
};

function websocketUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${GRAPHQL_PATH}`;
}

export interface PortalClient {
  client: Client;
  /** Subscriptions over graphql-ws (same origin, cookie on the handshake) and the socket's state. */
  live: LiveConnection;
  dispose(): void;
}

/** 1 s, 2 s, 4 s … capped at 30 s, with jitter so a restarted server is not hit by every tab at once. */
async function reconnectDelay(retries: number): Promise<void> {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(retries, 5));
  await new Promise((resolve) => setTimeout(resolve, base + Math.floor(Math.random() * 1000)));
}

export function createPortalClient(): PortalClient {
  // Subscriptions (graphql-transport-ws) ride on the session cookie; the socket opens only when the first
  // subscription starts and closes when the last one ends. A dropped socket is retried for as long as the page is
  // open: graphql-ws re-subscribes every active subscription on the new socket, and `live` tells the pages to
  // re-query what they show (events may have been missed while disconnected).
  const live = new LiveConnection();
  let ws: WsClient | null = null;
  const wsClient = (): WsClient => {
    ws ??= createWsClient({
      url: websocketUrl(),
      lazy: true,
      retryAttempts: Number.MAX_SAFE_INTEGER,
      retryWait: reconnectDelay,
      shouldRetry: () => true,
      connectionParams: () => ({ csrfToken: csrfToken() }),
      on: {
        connecting: (isRetry) => live.setStatus(isRetry ? "reconnecting" : "connecting"),
        connected: (_socket, _payload, wasRetry) => live.connected(wasRetry),
        closed: () => live.closed(),
      },
    });
    return ws;
  };
  live.attach({
    subscribe: (request, sink) => wsClient().subscribe(request, sink),
    // The socket's credentials are fixed at the handshake: after the session was refreshed, open a new one.
    restart: () => ws?.terminate(),
    refresh: async () => {
      const outcome = await refreshSession();
      if (outcome === "rejected") sessionExpiredHandler();
      return outcome === "ok";
    },
  });

  // Live events arrive over `live`'s socket, not as results of this client's requests: each one is put into the
  // exchange chain below the normalized cache, which stores it (and invalidates what it makes stale) so that every
  // query showing the same entities updates.
  const liveResults = liveResultsExchange();
  const client = new Client({
    url: GRAPHQL_PATH,
    fetch: portalFetch,
    fetchOptions: { credentials: "same-origin" },
    preferGetMethod: false,
    // The portal shows live data: render from cache instantly, but always ask the server again.
    requestPolicy: "cache-and-network",
    exchanges: [
      portalCacheExchange(),
      liveResults.exchange,
      trustedDocuments,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const unsubscribe = wsClient().subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  live.onEvent((document, variables, data) => {
    liveResults.push(client.createRequestOperation("subscription", createRequest(document, variables)), data);
  });

  return {
    client,
    live,
    dispose() {
      live.dispose();
      void ws?.dispose();
      ws = null;
    },
  };
}
