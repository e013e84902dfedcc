import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Provider as UrqlProvider } from "urql";
import type { CombinedError } from "@urql/core";
import type { ViewerShellFragment } from "../gql/graphql";
import { createPortalClient, onSessionExpired, type PortalClient } from "./client";
import { describeError, hasCode } from "./errors";
import { LoginDocument, LogoutDocument, VerifySecondFactorDocument, ViewerDocument } from "./operations";
import { LiveContext } from "./useLive";
import { LOGIN, userErrorText, VERIFY_SECOND_FACTOR } from "../userErrors";
import { t } from "../i18n";

export type SessionViewer = ViewerShellFragment;

export type SessionState =
  | { status: "checking" }
  | { status: "anonymous"; notice?: string }
  | { status: "authenticated"; viewer: SessionViewer }
  | { status: "error"; error: CombinedError };

/** What a sign-in step answers: null when signed in, an error for the form, or the second step's challenge. */
export type LoginOutcome = null | { error: string } | { challenge: string };

interface AuthApi {
  state: SessionState;
  /** The password step: signed in (null), refused ({error}), or a second factor needed ({challenge}). */
  login(email: string, password: string): Promise<LoginOutcome>;
  /** The second step, with a code from the app or a recovery code: null when signed in, else an error message. */
  verifySecondFactor(challenge: string, code: { code?: string; recoveryCode?: string }): Promise<string | null>;
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
        setState({ status: "anonymous", notice: t("auth.sessionEnded") });
      }),
    [freshClient],
  );

  /** The session cookies are set: load the viewer through a fresh client (empty cache, new socket). */
  const enter = useCallback(async (): Promise<string | null> => {
    const next = freshClient();
    const viewer = await next.client.query(ViewerDocument, {}, { requestPolicy: "network-only" }).toPromise();
    if (viewer.data?.viewer) {
      setState({ status: "authenticated", viewer: viewer.data.viewer });
      return null;
    }
    return viewer.error ? describeError(viewer.error).title : t("auth.signInFailed");
  }, [freshClient]);

  const login = useCallback(
    async (email: string, password: string): Promise<LoginOutcome> => {
      const result = await portal.client.mutation(LoginDocument, { email, password }).toPromise();
      const payload = result.data?.login;
      if (payload && payload.userErrors.length > 0) {
        return { error: userErrorText(payload.userErrors, LOGIN) };
      }
      if (payload?.secondFactor) return { challenge: payload.secondFactor.challenge };
      if (!payload?.viewer) {
        return { error: result.error ? describeError(result.error).title : t("auth.signInFailed") };
      }
      const error = await enter();
      return error ? { error } : null;
    },
    [portal, enter],
  );

  const verifySecondFactor = useCallback(
    async (challenge: string, answer: { code?: string; recoveryCode?: string }): Promise<string | null> => {
      const result = await portal.client
        .mutation(VerifySecondFactorDocument, { challenge, code: answer.code ?? null, recoveryCode: answer.recoveryCode ?? null })
        .toPromise();
      const payload = result.data?.verifySecondFactor;
      if (payload && payload.userErrors.length > 0) return userErrorText(payload.userErrors, VERIFY_SECOND_FACTOR);
      if (!payload?.viewer) {
        return result.error ? describeError(result.error).title : t("auth.signInFailed");
      }
      return enter();
    },
    [portal, enter],
  );

  const logout = useCallback(async () => {
    try {
      await portal.client.mutation(LogoutDocument, {}).toPromise();
    } finally {
      freshClient();
      setState({ status: "anonymous", notice: t("auth.signedOut") });
    }
  }, [portal, freshClient]);

  const recheck = useCallback(() => void check(portal), [check, portal]);

  const api = useMemo<AuthApi>(
    () => ({ state, login, verifySecondFactor, logout, recheck }),
    [state, login, verifySecondFactor, logout, recheck],
  );

  return (
    <AuthContext.Provider value={api}>
      <UrqlProvider value={portal.client}>
        <LiveContext.Provider value={portal.live}>{children}</LiveContext.Provider>
      </UrqlProvider>
    </AuthContext.Provider>
  );
}
