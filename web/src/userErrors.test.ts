import { describe, expect, it } from "vitest";
import type { SetAutopayErrorCode } from "./gql/graphql";
import {
  asSentence,
  REDEEM_GIFT_CARD,
  REMOVE_PAYMENT_METHOD,
  SERVER,
  SET_AUTOPAY,
  userErrorText,
  type UserErrorOf,
  type WordingOf,
} from "./userErrors";

describe("userErrorText", () => {
  it("explains the codes that need an explanation and passes others through", () => {
    expect(userErrorText([{ code: "PAYMENT_METHOD_IN_USE", message: "in use" }], REMOVE_PAYMENT_METHOD)).toContain(
      "Turn autopay off",
    );
    expect(
      userErrorText([{ code: "GIFT_CARD_INVALID", message: "This gift card code is not valid." }], REDEEM_GIFT_CARD),
    ).toBe("This gift card code is not valid.");
  });

  it("words a used gift card and never shows a raw lowercase backend message", () => {
    expect(
      userErrorText([{ code: "GIFT_CARD_ALREADY_USED", message: "this gift card was already redeemed" }], REDEEM_GIFT_CARD),
    ).toBe("This gift card has already been redeemed. Each card can be used once.");
    expect(userErrorText([{ code: "REFUSED", message: "billing refused the request" }], SET_AUTOPAY)).toBe(
      "Billing refused the request.",
    );
    expect(asSentence("  ")).toBe("Something went wrong. Please try again.");
    expect(asSentence("Wait 5 minutes (rate limited)")).toBe("Wait 5 minutes (rate limited)");
  });

  it("shows the server's message for the generic member and for a code newer than this build", () => {
    expect(userErrorText([{ code: "REFUSED", message: "Billing says no." }], SET_AUTOPAY)).toBe("Billing says no.");
    // The schema gained a member after this bundle was built: no crash, the server's own sentence.
    const newer = [{ code: "BRAND_NEW", message: "Something new." }] as unknown as UserErrorOf<SetAutopayErrorCode>[];
    expect(userErrorText(newer, SET_AUTOPAY)).toBe("Something new.");
  });

  it("makes every mutation's table name every member of its enum (checked by tsc, not at run time)", () => {
    // @ts-expect-error REFUSED has no wording: a new enum member fails the build until it is worded.
    const missing: WordingOf<SetAutopayErrorCode> = { AUTOPAY_REQUIRES_CARD: SERVER };
    // @ts-expect-error a code setAutopay cannot answer is not a key of its table.
    const extra: WordingOf<SetAutopayErrorCode> = { AUTOPAY_REQUIRES_CARD: SERVER, REFUSED: SERVER, NOT_FOUND: SERVER };
    // @ts-expect-error another mutation's table does not word setAutopay's codes.
    userErrorText([{ code: "AUTOPAY_REQUIRES_CARD" as SetAutopayErrorCode, message: "m" }], REMOVE_PAYMENT_METHOD);
    expect([missing, extra]).toHaveLength(2);
  });
});
