import { stringifyDocument, type TypedDocumentNode } from "@urql/core";
import type { FormattedExecutionResult, Sink } from "graphql-ws";
import { codeOf, type GraphQLErrorLike } from "./errors";
import { persistedQuery } from "./trusted";

// Live updates over graphql-ws. Every page that shows live data subscribes through `LiveConnection.subscribe` and
// registers an `onResync` callback: subscriptions survive dropped sockets (graphql-ws reconnects and re-subscribes;
// a subscription the server ended with an error is started again here), and after any gap the pages re-query what
// they show, because events published while we were disconnected are not replayed.

export type LiveStatus = "idle" | "connecting" | "live" | "reconnecting";

export interface LiveTransport {
  subscribe(
    request: {
      query: string;
      variables?: Record<string, unknown>;
      operationName?: string;
      extensions?: Record<string, unknown>;
    },
    sink: Sink<FormattedExecutionResult<Record<string, unknown>, unknown>>,
  ): () => void;
  /** Drop the socket so the next one is opened with the current (refreshed) session cookie. */
  restart(): void;
  /** Refresh the session; false when it cannot be refreshed now (or ever: the login screen is shown then). */
  refresh(): Promise<boolean>;
}

/** Every event's data, handed over before the page handlers run: the client stores it in its normalized cache. */
export type LiveEventSink = (document: TypedDocumentNode<unknown, Record<string, unknown>>, variables: Record<string, unknown>, data: unknown) => void;

export interface LiveHandlers<TData> {
  next(data: TData): void;
}

const MAX_REFUSALS = 5;
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

function isAuthFailure(error: unknown): boolean {
  if (Array.isArray(error)) return error.some((e: GraphQLErrorLike) => codeOf(e) === "UNAUTHENTICATED");
  if (error && typeof error === "object" && "code" in error) {
    return AUTH_CLOSE_CODES.has(Number((error as { code: unknown }).code));
  }
  return false;
}

/** A subscription this viewer may not have: starting it again would only fail again. */
function isForbidden(error: unknown): boolean {
  return Array.isArray(error) && error.some((e: GraphQLErrorLike) => codeOf(e) === "FORBIDDEN");
}

/** Delay before starting a failed subscription again: 2 s, 4 s … capped at 60 s. */
export function resubscribeDelay(attempt: number): number {
  return Math.min(60_000, 2000 * 2 ** Math.max(0, Math.min(attempt, 5)));
}

export class LiveConnection {
  status: LiveStatus = "idle";
  private transport: LiveTransport | null = null;
  private active = 0;
  private disposed = false;
  private statusListeners = new Set<() => void>();
  private resyncListeners = new Set<() => void>();
  private recovering: Promise<boolean> | null = null;
  private eventSink: LiveEventSink | null = null;
  private shared = new Map<string, { listeners: Set<LiveHandlers<unknown>>; stop: () => void }>();

  attach(transport: LiveTransport): void {
    this.transport = transport;
  }

  /** Where every event's data goes first (the urql client's cache, see `createPortalClient`). */
  onEvent(sink: LiveEventSink): void {
    this.eventSink = sink;
  }

  dispose(): void {
    this.disposed = true;
    this.statusListeners.clear();
    this.resyncListeners.clear();
  }

  setStatus(status: LiveStatus): void {
    if (this.status === status) return;
    this.status = status;
    for (const listener of [...this.statusListeners]) listener();
  }

  /** graphql-ws acknowledged a connection; after a retry, everything shown may be stale. */
  connected(wasRetry: boolean): void {
    this.setStatus("live");
    if (wasRetry) this.resync();
  }

  closed(): void {
    this.setStatus(this.active > 0 ? "reconnecting" : "idle");
  }

  onStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Called after a reconnect or a restarted subscription: re-query what the page shows. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  resync(): void {
    for (const listener of [...this.resyncListeners]) listener();
  }

  /** One session refresh + socket restart shared by every subscription that hit an auth failure at once. */
  private recoverAuth(): Promise<boolean> {
    this.recovering ??= (async () => {
      const ok = (await this.transport?.refresh()) ?? false;
      if (ok) this.transport?.restart();
      return ok;
    })().finally(() => {
      this.recovering = null;
    });
    return this.recovering;
  }

  /** Subscribe to `document` while the returned function is not called. Several subscribers of the same document
   * and variables share one subscription on the server (and each event goes into the cache once). */
  subscribe<TData, TVars extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVars>,
    variables: TVars,
    handlers: LiveHandlers<TData>,
  ): () => void {
    const key = `${stringifyDocument(document)}\u0000${JSON.stringify(variables)}`;
    let shared = this.shared.get(key);
    if (!shared) {
      const listeners = new Set<LiveHandlers<unknown>>();
      const created = {
        listeners,
        stop: this.open(document, variables, (data) => {
          for (const listener of [...listeners]) listener.next(data);
        }),
      };
      this.shared.set(key, created);
      shared = created;
    }
    const mine = handlers as LiveHandlers<unknown>;
    const entry = shared;
    entry.listeners.add(mine);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      entry.listeners.delete(mine);
      if (entry.listeners.size === 0 && this.shared.get(key) === entry) {
        this.shared.delete(key);
        entry.stop();
      }
    };
  }

  private open<TData, TVars extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVars>,
    variables: TVars,
    deliver: (data: TData) => void,
  ): () => void {
    // A production build names the document by its trusted id; the text is sent only in development.
    const extensions = persistedQuery(document);
    const query = extensions ? "" : stringifyDocument(document);
    let stopped = false;
    let unsubscribe: (() => void) | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let attempt = 0;
    this.active += 1;

    const start = () => {
      if (stopped || this.disposed || !this.transport) return;
      let failed = false;
      const retry = (error: unknown) => {
        if (failed || stopped) return;
        failed = true;
        unsubscribe?.();
        unsubscribe = null;
        // A refusal by the server (not a dropped socket: graphql-ws retries those itself) that keeps coming back,
        // e.g. an operation the server does not know: stop after a few attempts instead of retrying forever.
        if (isForbidden(error) || (Array.isArray(error) && attempt >= MAX_REFUSALS)) return;
        void (async () => {
          if (isAuthFailure(error) && !(await this.recoverAuth())) {
            // The session could not be refreshed right now (or has ended: the login screen takes over).
            attempt += 1;
          }
          if (stopped) return;
          timer = setTimeout(() => {
            timer = null;
            start();
            // Whatever happened while this subscription was down was missed: re-query.
            this.resync();
          }, resubscribeDelay(attempt++));
        })();
      };
      unsubscribe = this.transport.subscribe(
        extensions ? { query, variables, extensions } : { query, variables },
        {
          next: (result) => {
            if (result.errors?.length && isAuthFailure(result.errors)) {
              retry(result.errors);
              return;
            }
            attempt = 0;
            // One bad event (e.g. a backend briefly down while reading it) must not end the stream.
            if (result.data) {
              this.eventSink?.(document as TypedDocumentNode<unknown, Record<string, unknown>>, variables, result.data);
              deliver(result.data as TData);
            }
          },
          error: retry,
          complete: () => retry(null),
        },
      );
    };
    start();

    return () => {
      if (stopped) return;
      stopped = true;
      this.active -= 1;
      if (timer) clearTimeout(timer);
      unsubscribe?.();
    };
  }
}
