import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Provider as UrqlProvider } from "urql";
import type { CombinedError } from "@urql/core";
import type { ViewerShellFragment } from "../gql/graphql";
import { createPortalClient, onSessionExpired, type PortalClient } from "./client";
import { describeError, hasCode } from "./errors";
import { LoginDocument, LogoutDocument, ViewerDocument } from "./operations";
import { LiveContext } from "./useLive";
import { LOGIN, userErrorText } from "../userErrors";

export type SessionViewer = ViewerShellFragment;

export type SessionState =
  | { status: "checking" }
  | { status: "anonymous"; notice?: string }
  | { status: "authenticated"; viewer: SessionViewer }
  | { status: "error"; error: CombinedError };

interface AuthApi {
  state: SessionState;
  /** Resolves to an error message for the form, or null on success. */
  login(email: string, password: string): Promise<string | null>;
  logout(): Promise<void>;
  /** Run the session check again (after a backend outage). */
  recheck(): void;
}

const AuthContext = createContext<AuthApi | null>(null);

export function useAuth(): AuthApi {
  const api = useContext(AuthContext);
  if (!api) throw new Error("useAuth() outside <AuthProvider>");
  return api;
}

/** The signed-in viewer; only call below the authenticated part of the tree. */
export function useViewer(): SessionViewer {
  const { state } = useAuth();
  if (state.status !== "authenticated") throw new Error("useViewer() without a session");
  return state.viewer;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [portal, setPortal] = useState<PortalClient>(() => createPortalClient());
  const [state, setState] = useState<SessionState>({ status: "checking" });
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);

  /** A new client means an empty cache and a new socket: nothing from the previous session leaks. */
  const freshClient = useCallback((): PortalClient => {
    const next = createPortalClient();
    setPortal((previous) => {
      previous.dispose();
      return next;
    });
    return next;
  }, []);

  const check = useCallback(async (client: PortalClient) => {
    setState({ status: "checking" });
    const result = await client.client.query(ViewerDocument, {}, { requestPolicy: "network-only" }).toPromise();
    const viewer = result.data?.viewer;
    if (viewer) setState({ status: "authenticated", viewer });
    else if (result.error && !hasCode(result.error.graphQLErrors, "UNAUTHENTICATED")) {
      setState({ status: "error", error: result.error });
    } else setState({ status: "anonymous" });
  }, []);

  useEffect(() => {
    void check(portal);
    // Only the first client needs the startup check; later clients are created by login/logout.
  }, []);

  useEffect(
    () =>
      onSessionExpired(() => {
        if (stateRef.current.status !== "authenticated") return;
        freshClient();
        setState({ status: "anonymous", notice: "Your session has ended. Please sign in again." });
      }),
    [freshClient],
  );

  const login = useCallback(
    async (email: string, password: string): Promise<string | null> => {
      const result = await portal.client.mutation(LoginDocument, { email, password }).toPromise();
      const payload = result.data?.login;
      if (payload && payload.userErrors.length > 0) {
        return userErrorText(payload.userErrors, LOGIN);
      }
      if (!payload?.viewer) {
        return result.error ? describeError(result.error).title : "Sign-in failed. Please try again.";
      }
      // The session cookies are set: load the viewer through a fresh client (empty cache, new socket).
      const next = freshClient();
      const viewer = await next.client.query(ViewerDocument, {}, { requestPolicy: "network-only" }).toPromise();
      if (viewer.data?.viewer) {
        setState({ status: "authenticated", viewer: viewer.data.viewer });
        return null;
      }
      return viewer.error ? describeError(viewer.error).title : "Sign-in failed. Please try again.";
    },
    [portal, freshClient],
  );

  const logout = useCallback(async () => {
    try {
      await portal.client.mutation(LogoutDocument, {}).toPromise();
    } finally {
      freshClient();
      setState({ status: "anonymous", notice: "You have been signed out." });
    }
  }, [portal, freshClient]);

  const recheck = useCallback(() => void check(portal), [check, portal]);

  const api = useMemo<AuthApi>(() => ({ state, login, logout, recheck }), [state, login, logout, recheck]);

  return (
    <AuthContext.Provider value={api}>
      <UrqlProvider value={portal.client}>
        <LiveContext.Provider value={portal.live}>{children}</LiveContext.Provider>
      </UrqlProvider>
    </AuthContext.Provider>
  );
}
