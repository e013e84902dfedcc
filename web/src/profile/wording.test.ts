import { describe, expect, it } from "vitest";
import { userErrorText } from "../userErrors";
import { SET_NOTIFICATION_PREFERENCES, UPDATE_CONTACT_DETAILS, UPDATE_MY_CONTACT_DETAILS } from "./wording";

describe("contact and preference refusals", () => {
  it("tell how to write a phone number instead of repeating a code", () => {
    const error = [{ code: "INVALID_PHONE" as const, message: "not e164" }];
    expect(userErrorText(error, UPDATE_MY_CONTACT_DETAILS)).toContain("+351 912 345 678");
    expect(userErrorText(error, UPDATE_CONTACT_DETAILS)).toContain("country code");
  });

  it("pass bounds through as the server words them, and explain the locked security e-mail", () => {
    expect(userErrorText([{ code: "TOO_LONG", message: "At most 80 characters." }], UPDATE_CONTACT_DETAILS)).toBe(
      "At most 80 characters.",
    );
    expect(userErrorText([{ code: "SECURITY_EMAIL_REQUIRED", message: "x" }], SET_NOTIFICATION_PREFERENCES)).toBe(
      "Security e-mails cannot be turned off.",
    );
  });
});
