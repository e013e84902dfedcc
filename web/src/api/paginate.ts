import { useCallback, useEffect, useRef, useState } from "react";
import { useClient } from "urql";
import type { AnyVariables, CombinedError, TypedDocumentNode } from "@urql/core";

// "Show more" over a Relay connection: pages are fetched with `first`/`after` and appended. Changing the
// variables (a filter, a tab) starts over. Every page is read from the network: the portal shows live data.

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

export function usePaginated<TData, TVars extends AnyVariables, T>(
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  select: (data: TData) => ConnectionLike<T> | null | undefined,
  options: { pause?: boolean } = {},
): Paginated<TData, T> {
  const client = useClient();
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{
    key: string;
    data: TData | null;
    items: T[];
    totalCount: number | null;
    hasNextPage: boolean;
    endCursor: string | null;
    loading: boolean;
    loadingMore: boolean;
    error: CombinedError | null;
  }>({
    key,
    data: null,
    items: [],
    totalCount: null,
    hasNextPage: false,
    endCursor: null,
    loading: !options.pause,
    loadingMore: false,
    error: null,
  });
  const generation = useRef(0);
  const selectRef = useRef(select);
  selectRef.current = select;
  const varsRef = useRef(variables);
  varsRef.current = variables;

  const fetchPage = useCallback(
    async (after: string | null, append: boolean) => {
      const gen = generation.current;
      setState((s) => ({ ...s, loading: !append, loadingMore: append, error: append ? s.error : null }));
      const result = await client
        .query(document, { ...varsRef.current, after } as TVars, { requestPolicy: "network-only" })
        .toPromise();
      if (gen !== generation.current) return; // a newer filter or reload superseded this request
      const connection = result.data ? selectRef.current(result.data) : null;
      setState((s) => ({
        ...s,
        data: append ? s.data : (result.data ?? null),
        items: connection ? (append ? [...s.items, ...connection.nodes] : [...connection.nodes]) : append ? s.items : [],
        totalCount: connection ? connection.totalCount : s.totalCount,
        hasNextPage: connection ? connection.pageInfo.hasNextPage : append ? s.hasNextPage : false,
        endCursor: connection ? (connection.pageInfo.endCursor ?? null) : s.endCursor,
        loading: false,
        loadingMore: false,
        error: result.error ?? null,
      }));
    },
    [client, document],
  );

  const reload = useCallback(() => {
    generation.current += 1;
    setState((s) => ({ ...s, items: [], data: null, totalCount: null, hasNextPage: false, endCursor: null }));
    void fetchPage(null, false);
  }, [fetchPage]);

  useEffect(() => {
    if (options.pause) return;
    generation.current += 1;
    setState((s) => ({
      ...s,
      key,
      data: null,
      items: [],
      totalCount: null,
      hasNextPage: false,
      endCursor: null,
      loading: true,
    }));
    void fetchPage(null, false);
  }, [key, fetchPage, options.pause]);

  const stateRef = useRef(state);
  stateRef.current = state;
  const moreInFlight = useRef(false);
  const loadMore = useCallback(() => {
    const s = stateRef.current;
    if (moreInFlight.current || s.loading || !s.hasNextPage) return;
    moreInFlight.current = true;
    void fetchPage(s.endCursor, true).finally(() => {
      moreInFlight.current = false;
    });
  }, [fetchPage]);

  return {
    data: state.data,
    items: state.items,
    totalCount: state.totalCount,
    hasNextPage: state.hasNextPage,
    loading: !options.pause && (state.loading || state.key !== key),
    loadingMore: state.loadingMore,
    error: state.error,
    loadMore,
    reload,
  };
}
