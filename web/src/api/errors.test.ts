import { CombinedError } from "@urql/core";
import { describe, expect, it } from "vitest";
import { describeError } from "./errors";

describe("describeError", () => {
  it("names the system that is down", () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: "Billing down", extensions: { code: "BACKEND_UNAVAILABLE", backend: "billing" } }],
    });
    expect(describeError(error)).toMatchObject({ title: "Billing is temporarily unavailable", retryable: true });
  });

  it("falls back to a generic name and never leaks the raw message", () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: "Traceback...", extensions: { code: "BACKEND_UNAVAILABLE" } }],
    });
    expect(describeError(error).title).toBe("Part of the service is temporarily unavailable");
    const masked = describeError(new CombinedError({ graphQLErrors: [{ message: "Unexpected error.", extensions: { code: "INTERNAL" } }] }));
    expect(masked.title).toBe("Something went wrong");
  });

  it("explains network failures", () => {
    expect(describeError(new CombinedError({ networkError: new Error("Failed to fetch") })).title).toBe(
      "We can't reach the portal right now",
    );
  });

  it("tells an outage of the session store from a lost session", () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: "Sessions cannot be checked", extensions: { code: "SESSION_STORE_UNAVAILABLE" } }],
    });
    expect(describeError(error)).toMatchObject({ title: "Sign-in is temporarily unavailable", retryable: true });
  });

  it("says a shed request was not done and may be retried", () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: "The server is busy", extensions: { code: "OVERLOADED" } }],
    });
    expect(describeError(error)).toMatchObject({ title: "The portal is busy right now", retryable: true });
  });
});
