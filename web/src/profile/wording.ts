import type {
  ConfirmLoginEmailChangeErrorCode,
  RequestLoginEmailChangeErrorCode,
  SetNotificationPreferencesErrorCode,
  UpdateContactDetailsErrorCode,
  UpdateMyContactDetailsErrorCode,
} from "../gql/graphql";
import { SERVER, type WordingOf } from "../userErrors";

// What a subscriber reads when a contact or preference change is refused (one table per mutation, keyed by its
// generated enum: a new member is a type error until it is worded).

const INVALID_PHONE = "Enter the phone number with its country code, for example +351 912 345 678.";

export const UPDATE_CONTACT_DETAILS: WordingOf<UpdateContactDetailsErrorCode> = {
  INVALID_EMAIL: "Enter an e-mail address like name@example.com.",
  EMAIL_TOO_LONG: SERVER,
  INVALID_PHONE,
  INVALID_COUNTRY: "Enter the country as its two-letter code, for example PT, US or GB.",
  REQUIRED: SERVER,
  TOO_LONG: SERVER,
  NOTHING_TO_CHANGE: "Nothing was changed.",
  REFUSED: SERVER,
};

export const UPDATE_MY_CONTACT_DETAILS: WordingOf<UpdateMyContactDetailsErrorCode> = {
  INVALID_PHONE,
  REFUSED: SERVER,
};

export const SET_NOTIFICATION_PREFERENCES: WordingOf<SetNotificationPreferencesErrorCode> = {
  SECURITY_EMAIL_REQUIRED: "Security e-mails cannot be turned off.",
  DUPLICATE: SERVER,
  NOTHING_TO_CHANGE: "Nothing was changed.",
  REFUSED: SERVER,
};

export const REQUEST_LOGIN_EMAIL_CHANGE: WordingOf<RequestLoginEmailChangeErrorCode> = {
  INVALID_CREDENTIALS: SERVER,
  INVALID_EMAIL: "Enter an e-mail address like name@example.com.",
  EMAIL_TOO_LONG: SERVER,
  EMAIL_UNCHANGED: SERVER,
  EMAIL_TAKEN: SERVER,
  RATE_LIMITED: SERVER, // says how long to wait
};

export const CONFIRM_LOGIN_EMAIL_CHANGE: WordingOf<ConfirmLoginEmailChangeErrorCode> = {
  INVALID_TOKEN: "This link is used, expired or not valid. Ask for a new one under Account & security.",
  EMAIL_TAKEN: SERVER,
};
