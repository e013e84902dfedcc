import type {
  ConfirmLoginEmailChangeErrorCode,
  RequestLoginEmailChangeErrorCode,
  SetNotificationPreferencesErrorCode,
  UpdateContactDetailsErrorCode,
  UpdateMyContactDetailsErrorCode,
} from "../gql/graphql";
import { SERVER, type WordingOf } from "../userErrors";

// What a subscriber reads when a contact or preference change is refused (one table per mutation, keyed by its
// generated enum: a new member is a type error until it is worded). Wordings are message keys (i18n catalogs).

const INVALID_PHONE = "userError.invalidPhone";
const INVALID_EMAIL = "userError.invalidEmailExample";
const NOTHING_TO_CHANGE = "userError.nothingChanged";

export const UPDATE_CONTACT_DETAILS: WordingOf<UpdateContactDetailsErrorCode> = {
  INVALID_EMAIL,
  EMAIL_TOO_LONG: SERVER,
  INVALID_PHONE,
  INVALID_COUNTRY: "userError.invalidCountry",
  REQUIRED: SERVER,
  TOO_LONG: SERVER,
  NOTHING_TO_CHANGE,
  REFUSED: SERVER,
};

export const UPDATE_MY_CONTACT_DETAILS: WordingOf<UpdateMyContactDetailsErrorCode> = {
  INVALID_PHONE,
  REFUSED: SERVER,
};

export const SET_NOTIFICATION_PREFERENCES: WordingOf<SetNotificationPreferencesErrorCode> = {
  SECURITY_EMAIL_REQUIRED: "userError.securityEmailRequired",
  DUPLICATE: SERVER,
  NOTHING_TO_CHANGE,
  REFUSED: SERVER,
};

export const REQUEST_LOGIN_EMAIL_CHANGE: WordingOf<RequestLoginEmailChangeErrorCode> = {
  INVALID_CREDENTIALS: SERVER,
  INVALID_EMAIL,
  EMAIL_TOO_LONG: SERVER,
  EMAIL_UNCHANGED: SERVER,
  EMAIL_TAKEN: SERVER,
  RATE_LIMITED: SERVER, // says how long to wait
};

export const CONFIRM_LOGIN_EMAIL_CHANGE: WordingOf<ConfirmLoginEmailChangeErrorCode> = {
  INVALID_TOKEN: "userError.emailLinkInvalid",
  EMAIL_TAKEN: SERVER,
};
