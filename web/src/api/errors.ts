import type { CombinedError } from "@urql/core";
import { intlLocale, t, type MessageKey } from "../i18n";

// Top-level GraphQL errors carry `extensions.code` (see the BFF's schema/core/errors.py). Business failures come as
// `userErrors` in mutation payloads instead and are shown next to the form that caused them.

export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "BAD_USER_INPUT"
  | "BACKEND_UNAVAILABLE"
  | "SESSION_STORE_UNAVAILABLE"
  | "OVERLOADED"
  | "RATE_LIMITED"
  | "CSRF_FAILED"
  | "INTERNAL";

export interface GraphQLErrorLike {
  message: string;
  extensions?: Record<string, unknown> | null;
}

export function codeOf(error: GraphQLErrorLike): string | undefined {
  const code = error.extensions?.["code"];
  return typeof code === "string" ? code : undefined;
}

export function hasCode(errors: readonly GraphQLErrorLike[] | null | undefined, code: ErrorCode): boolean {
  return !!errors?.some((e) => codeOf(e) === code);
}

const BACKEND_NAMES: Record<string, MessageKey> = {
  billing: "backend.billing",
  crm: "backend.crm",
  aaa: "backend.aaa",
  oss: "backend.oss",
  gateway: "backend.gateway",
  payments: "backend.gateway",
  wallet: "backend.wallet",
};

/** Which system is down, in words: from `extensions.backend` or the "billing: ..." message prefix. */
export function backendName(error: GraphQLErrorLike): string {
  const ext = error.extensions ?? {};
  const raw = [ext["backend"], ext["service"], ext["system"]].find((v): v is string => typeof v === "string");
  const key = (raw ?? /^([a-z_]+):/i.exec(error.message)?.[1] ?? "").toLowerCase();
  const name = BACKEND_NAMES[key];
  return name ? t(name) : t("backend.part");
}

export interface FriendlyError {
  title: string;
  detail: string;
  retryable: boolean;
}

/** Turn an urql error into words a subscriber understands. Never shows a stack trace or raw JSON. */
export function describeError(error: CombinedError): FriendlyError {
  const unavailable = error.graphQLErrors.filter((e) => codeOf(e) === "BACKEND_UNAVAILABLE");
  if (unavailable.length > 0) {
    const names = [...new Set(unavailable.map(backendName))];
    const who = new Intl.ListFormat(intlLocale(), { type: "conjunction" }).format(names);
    return {
      title: t(names.length === 1 ? "error.unavailable.one" : "error.unavailable.many", { who }),
      detail: t("error.unavailable.detail"),
      retryable: true,
    };
  }
  // The BFF answers 503 with this code while its session store (Redis) is out: nothing is wrong with the session.
  if (hasCode(error.graphQLErrors, "SESSION_STORE_UNAVAILABLE")) {
    return {
      title: t("error.sessionStore.title"),
      detail: t("error.sessionStore.detail"),
      retryable: true,
    };
  }
  // 503 when the BFF process is serving all the requests it accepts at once: nothing was done, retrying works.
  if (hasCode(error.graphQLErrors, "OVERLOADED")) {
    return {
      title: t("error.overloaded.title"),
      detail: t("error.overloaded.detail"),
      retryable: true,
    };
  }
  if (error.networkError) {
    return {
      title: t("error.network.title"),
      detail: t("error.network.detail"),
      retryable: true,
    };
  }
  if (hasCode(error.graphQLErrors, "RATE_LIMITED")) {
    return { title: t("error.rateLimited.title"), detail: t("error.rateLimited.detail"), retryable: true };
  }
  if (hasCode(error.graphQLErrors, "FORBIDDEN")) {
    return { title: t("error.forbidden.title"), detail: t("error.forbidden.detail"), retryable: false };
  }
  if (hasCode(error.graphQLErrors, "CSRF_FAILED")) {
    return { title: t("error.csrf.title"), detail: t("error.csrf.detail"), retryable: true };
  }
  return {
    title: t("error.generic.title"),
    detail: t("error.generic.detail"),
    retryable: true,
  };
}
