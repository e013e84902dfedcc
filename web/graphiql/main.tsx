// GraphiQL for the BFF's /graphql, built from npm packages into web/dist/graphiql/ (vite.graphiql.config.ts)
// and served by the BFF itself: it needs no CDN, so it works on a machine without internet.
//
// Signed in the portal's way: the session cookies go with every request and the readable `wg_csrf` cookie is
// echoed in `X-CSRF-Token`, as the portal does. A client without a session (a mobile app's token, a script)
// pastes `{"Authorization": "Bearer …"}` into the Headers pane instead: the header then wins, over HTTP and in
// the WebSocket's connection_init payload.
import { StrictMode, type ComponentProps } from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createClient, type Client } from "graphql-ws";
import "graphiql/style.css";

import dashboard from "./examples/dashboard.graphql?raw";
import invoices from "./examples/invoices.graphql?raw";
import payments from "./examples/payments.graphql?raw";

type Fetcher = ComponentProps<typeof GraphiQL>["fetcher"];
type Params = Parameters<Fetcher>[0];

const GRAPHQL_PATH = "/graphql";
// Names the BFF uses (bff/core/auth/cookies.py).
const CSRF_COOKIE = "wg_csrf";
const CSRF_HEADER = "X-CSRF-Token";

function cookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return null;
}

function authorization(headers: Record<string, unknown> | undefined): string | null {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === "authorization" && typeof value === "string" && value) return value;
  }
  return null;
}

async function overHttp(params: Params, headers: Record<string, unknown> | undefined): Promise<unknown> {
  const sent: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value !== "" && value !== null && value !== undefined) sent[key] = String(value); // the blank template
  }
  const csrf = cookie(CSRF_COOKIE);
  if (csrf) sent[CSRF_HEADER] = csrf;
  const response = await fetch(GRAPHQL_PATH, {
    method: "POST",
    credentials: "same-origin",
    headers: sent,
    body: JSON.stringify(params),
  });
  // Refusals (403 CSRF_FAILED, 413, 429…) carry GraphQL errors too: show them rather than a bare status.
  return response.json();
}

// One socket per credential: a pasted token opens a new one (its credentials are fixed at connection_init).
const sockets = new Map<string, Client>();

function socket(token: string | null): Client {
  const key = token ?? "";
  let client = sockets.get(key);
  if (!client) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    client = createClient({
      url: `${scheme}//${location.host}${GRAPHQL_PATH}`,
      lazy: true,
      connectionParams: () => (token ? { authorization: token } : { csrfToken: cookie(CSRF_COOKIE) }),
    });
    sockets.set(key, client);
  }
  return client;
}

function isSubscription(params: Params): boolean {
  const query = typeof params.query === "string" ? params.query : "";
  const name = params.operationName;
  if (name) return new RegExp(`subscription\\s+${name}\\b`).test(query);
  return /^\s*(#[^\n]*\n\s*)*subscription\b/.test(query);
}

// GraphiQL works the operation name out of the editor's text a moment after each edit: run right after an edit
// and it still names the operation the editor held before (the BFF answers "Unknown operation named …").
function currentName(params: Params): string | null {
  const name = params.operationName;
  const query = typeof params.query === "string" ? params.query : "";
  return name && new RegExp(`\\b(query|mutation|subscription)\\s+${name}\\b`).test(query) ? name : null;
}

const fetcher: Fetcher = (asked, options) => {
  const params = { ...asked, operationName: currentName(asked) };
  const headers = options?.headers as Record<string, unknown> | undefined;
  if (isSubscription(params)) {
    return socket(authorization(headers)).iterate({
      query: params.query,
      variables: params.variables ?? undefined,
      operationName: params.operationName ?? undefined,
    }) as ReturnType<Fetcher>;
  }
  return overHttp(params, headers) as ReturnType<Fetcher>;
};

const tabs = [{ query: dashboard }, { query: invoices }, { query: payments }];

const root = document.getElementById("graphiql");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <GraphiQL fetcher={fetcher} defaultTabs={tabs} defaultHeaders={'{\n  "Authorization": ""\n}'} />
    </StrictMode>,
  );
}
