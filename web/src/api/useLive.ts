import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from "react";
import type { TypedDocumentNode } from "@urql/core";
import { LiveConnection, type LiveStatus } from "./live";

// React access to the session's live connection (provided by AuthProvider next to the urql client).

const fallback = new LiveConnection();
export const LiveContext = createContext<LiveConnection>(fallback);

export function useLiveConnection(): LiveConnection {
  return useContext(LiveContext);
}

/** Subscribe while mounted; `onData` may change between renders without re-subscribing. */
export function useLiveSubscription<TData, TVars extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  onData: (data: TData) => void,
  options: { pause?: boolean } = {},
): void {
  const live = useLiveConnection();
  const handler = useRef(onData);
  handler.current = onData;
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (options.pause) return undefined;
    return live.subscribe(document, JSON.parse(key) as TVars, { next: (data) => handler.current(data) });
  }, [live, document, key, options.pause]);
}

const ignore = (): void => undefined;

/** Subscribe while mounted only to keep the normalized cache fresh (src/api/cache.ts): every query that shows
 * what the events change updates by itself. */
export function useLiveEvents<TData, TVars extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVars>,
  options: { pause?: boolean } = {},
): void {
  useLiveSubscription(document, {} as TVars, ignore, options);
}

/** Re-query after a reconnect (events may have been missed while the socket was down). */
export function useResync(callback: () => void): void {
  const live = useLiveConnection();
  const ref = useRef(callback);
  ref.current = callback;
  useEffect(() => live.onResync(() => ref.current()), [live]);
}

export function useLiveStatus(): LiveStatus {
  const live = useLiveConnection();
  return useSyncExternalStore(
    (listener) => live.onStatus(listener),
    () => live.status,
    () => "idle",
  );
}
