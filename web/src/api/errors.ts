import type { CombinedError } from "@urql/core";

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

const BACKEND_NAMES: Record<string, string> = {
  billing: "Billing",
  crm: "Your account service",
  aaa: "Service status",
  oss: "Device and usage data",
  gateway: "The payment service",
  payments: "The payment service",
  wallet: "The wallet service",
};

/** Which system is down, in words: from `extensions.backend` or the "billing: ..." message prefix. */
export function backendName(error: GraphQLErrorLike): string {
  const ext = error.extensions ?? {};
  const raw = [ext["backend"], ext["service"], ext["system"]].find((v): v is string => typeof v === "string");
  const key = (raw ?? /^([a-z_]+):/i.exec(error.message)?.[1] ?? "").toLowerCase();
  return BACKEND_NAMES[key] ?? "Part of the service";
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
    const who = names.length === 1 ? names[0] : names.join(" and ");
    return {
      title: `${who} ${names.length === 1 ? "is" : "are"} temporarily unavailable`,
      detail: "We're showing everything else we could load. Please try again in a moment.",
      retryable: true,
    };
  }
  // The BFF answers 503 with this code while its session store (Redis) is out: nothing is wrong with the session.
  if (hasCode(error.graphQLErrors, "SESSION_STORE_UNAVAILABLE")) {
    return {
      title: "Sign-in is temporarily unavailable",
      detail: "Your session is fine, but we can't check it right now. Please try again in a moment.",
      retryable: true,
    };
  }
  // 503 when the BFF process is serving all the requests it accepts at once: nothing was done, retrying works.
  if (hasCode(error.graphQLErrors, "OVERLOADED")) {
    return {
      title: "The portal is busy right now",
      detail: "Nothing was changed. Please try again in a moment.",
      retryable: true,
    };
  }
  if (error.networkError) {
    return {
      title: "We can't reach the portal right now",
      detail: "Check your internet connection and try again.",
      retryable: true,
    };
  }
  if (hasCode(error.graphQLErrors, "RATE_LIMITED")) {
    return { title: "Too many attempts", detail: "Please wait a few minutes and try again.", retryable: true };
  }
  if (hasCode(error.graphQLErrors, "FORBIDDEN")) {
    return { title: "You don't have access to this", detail: "Ask the account owner for access.", retryable: false };
  }
  if (hasCode(error.graphQLErrors, "CSRF_FAILED")) {
    return { title: "Your session needs a refresh", detail: "Reload the page and try again.", retryable: true };
  }
  return {
    title: "Something went wrong",
    detail: "This part of the page could not be loaded. Please try again.",
    retryable: true,
  };
}
