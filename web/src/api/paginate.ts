import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useClient } from "urql";
import { pipe, subscribe } from "wonka";
import type { AnyVariables, CombinedError, TypedDocumentNode } from "@urql/core";

// "Show more" over a Relay connection: pages are fetched with `first`/`after` and appended. Changing the
// variables (a filter, a tab) starts over. Every page is read from the network first (the portal shows live data)
// and then stays subscribed to the normalized cache (src/api/cache.ts): a live event that changes an entity on a
// page, or invalidates the list, updates the page in place — no page keeps a copy of its own.

export interface ConnectionLike<T> {
  nodes: readonly T[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

export interface Paginated<TData, T> {
  /** The first page's full result (for fields next to the connection). */
  data: TData | null;
  items: T[];
  totalCount: number | null;
  hasNextPage: boolean;
  /** Loading the first page. */
  loading: boolean;
  loadingMore: boolean;
  error: CombinedError | null;
  loadMore(): void;
  reload(): void;
}

interface PageResult<TData> {
  data: TData | null;
  error: CombinedError | null;
}

interface State<TData> {
  key: string;
  generation: number;
  /** One entry per page asked for; undefined until its first answer. */
  pages: (PageResult<TData> | undefined)[];
}

function idOf(item: unknown): unknown {
  return item && typeof item === "object" && "id" in item ? (item as { id: unknown }).id : undefined;
}

export function usePaginated<TData, TVars extends AnyVariables, T>(
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  select: (data: TData) => ConnectionLike<T> | null | undefined,
  options: { pause?: boolean } = {},
): Paginated<TData, T> {
  const client = useClient();
  const key = JSON.stringify(variables);
  const [state, setState] = useState<State<TData>>({ key, generation: 0, pages: [] });
  const generation = useRef(0);
  const unsubscribers = useRef<(() => void)[]>([]);
  const selectRef = useRef(select);
  selectRef.current = select;
  const varsRef = useRef(variables);
  varsRef.current = variables;

  const stopAll = useCallback(() => {
    for (const stop of unsubscribers.current) stop();
    unsubscribers.current = [];
  }, []);

  /** Ask for page `index` (from `after`) and keep following it in the cache. */
  const startPage = useCallback(
    (index: number, after: string | null, gen: number) => {
      const { unsubscribe } = pipe(
        client.query(document, { ...varsRef.current, after } as TVars, { requestPolicy: "network-only" }),
        subscribe((result) => {
          if (gen !== generation.current) return; // a newer filter or reload superseded this page
          setState((s) => {
            if (s.generation !== gen) return s;
            const pages = [...s.pages];
            const previous = pages[index];
            // A failed refresh keeps what the page showed (with the error); a first failure shows nothing.
            pages[index] = { data: result.data ?? previous?.data ?? null, error: result.error ?? null };
            return { ...s, pages };
          });
        }),
      );
      unsubscribers.current[index] = unsubscribe;
    },
    [client, document],
  );

  const start = useCallback(() => {
    stopAll();
    generation.current += 1;
    const gen = generation.current;
    setState({ key: JSON.stringify(varsRef.current), generation: gen, pages: [undefined] });
    startPage(0, null, gen);
  }, [startPage, stopAll]);

  useEffect(() => {
    if (options.pause) return undefined;
    start();
    return () => {
      generation.current += 1;
      stopAll();
    };
  }, [key, start, stopAll, options.pause]);

  const connections = useMemo(
    () => state.pages.map((p) => (p?.data ? (selectRef.current(p.data) ?? null) : null)),
    [state.pages],
  );
  const items = useMemo(() => {
    const seen = new Set<unknown>();
    const all: T[] = [];
    for (const connection of connections) {
      for (const node of connection?.nodes ?? []) {
        const id = idOf(node);
        if (id !== undefined) {
          if (seen.has(id)) continue; // a page refreshed after an earlier one shrank can repeat a row
          seen.add(id);
        }
        all.push(node);
      }
    }
    return all;
  }, [connections]);

  const lastIndex = state.pages.length - 1;
  const last = state.pages[lastIndex];
  const lastConnection = connections[lastIndex] ?? null;
  const loadingMore = lastIndex > 0 && last === undefined;
  const anchor = loadingMore ? (connections[lastIndex - 1] ?? null) : lastConnection;
  const first = state.pages[0];
  const totalCount = connections.find((c) => c !== null)?.totalCount ?? null;
  const hasNextPage = !loadingMore && !!anchor?.pageInfo.hasNextPage;
  const error = state.pages.find((p) => p?.error)?.error ?? null;

  const stateRef = useRef({ state, anchor, loadingMore });
  stateRef.current = { state, anchor, loadingMore };
  const loadMore = useCallback(() => {
    const { state: s, anchor: a, loadingMore: busy } = stateRef.current;
    if (busy || s.pages[0] === undefined || !a?.pageInfo.hasNextPage) return;
    const index = s.pages.length;
    setState((current) => (current.generation === s.generation ? { ...current, pages: [...current.pages, undefined] } : current));
    startPage(index, a.pageInfo.endCursor ?? null, s.generation);
  }, [startPage]);

  return {
    data: first?.data ?? null,
    items,
    totalCount,
    hasNextPage,
    loading: !options.pause && (state.key !== key || first === undefined),
    loadingMore,
    error,
    loadMore,
    reload: start,
  };
}
