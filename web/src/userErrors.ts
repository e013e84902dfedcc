import type {
  AddPaymentMethodErrorCode,
  ChangePasswordErrorCode,
  ChangeTeamMemberErrorCode,
  ConfirmTotpEnrolmentErrorCode,
  DisableTeamMemberErrorCode,
  DisableTotpErrorCode,
  InviteTeamMemberErrorCode,
  RemoveTeamMemberErrorCode,
  RequestPasswordResetErrorCode,
  ResetPasswordErrorCode,
  RevokeSessionErrorCode,
  VerifySecondFactorErrorCode,
  ApplyWalletToInvoiceErrorCode,
  LoginErrorCode,
  PayInvoiceErrorCode,
  PayInvoicesErrorCode,
  RedeemGiftCardErrorCode,
  RemovePaymentMethodErrorCode,
  RenewServiceErrorCode,
  SetAutopayErrorCode,
  SetLocaleErrorCode,
  SetDefaultPaymentMethodErrorCode,
  TopUpWalletErrorCode,
} from "./gql/graphql";
import { currentLocale, hasMessage, t, type MessageKey } from "./i18n";

// What a subscriber reads when a mutation refuses. Each mutation has a code enum of its own in the schema, and
// here one table per mutation keyed by that generated enum: a new member is a type error until it is worded.
// Wordings are message keys (i18n catalogs). `SERVER` shows the BFF's own sentence in English; in other languages
// the code's generic sentence (`code.<CODE>` in the catalogs) stands in for it, since the BFF writes English.

/** Our own sentence for a code (a message key), or `SERVER` where the server's message already says it well. */
export type Wording = MessageKey | typeof SERVER;
export const SERVER = null;

export type WordingOf<Code extends string> = Readonly<Record<Code, Wording>>;

export interface UserErrorOf<Code extends string> {
  code: Code;
  message: string;
  field?: readonly string[] | null;
}

/** One readable sentence for a mutation's userErrors, worded by that mutation's table. */
export function userErrorText<Code extends string>(
  errors: readonly UserErrorOf<Code>[],
  wording: WordingOf<NoInfer<Code>>,
): string {
  return errors.map((e) => wordingText(e, wording[e.code] ?? SERVER)).join(" ");
}

function wordingText(error: UserErrorOf<string>, wording: Wording): string {
  if (wording !== SERVER) return t(wording);
  const generic = `code.${error.code}`;
  if (currentLocale() !== "en" && hasMessage(generic)) return t(generic);
  return asSentence(error.message);
}

/** A message passed through from a backend, as a sentence: capital first letter, closing punctuation
 * ("this gift card was already redeemed" → "This gift card was already redeemed."). */
export function asSentence(message: string): string {
  const text = message.trim();
  if (!text) return t("error.somethingWrong");
  const capital = text.charAt(0).toLocaleUpperCase("en-US") + text.slice(1);
  return /[.!?…)]$/.test(capital) ? capital : `${capital}.`;
}

// Sentences more than one mutation uses: where the server's message alone would leave the subscriber stuck.
const ALREADY_PAID = "userError.alreadyPaid";
const GATEWAY_UNAVAILABLE = "userError.gatewayUnavailable";
const INSUFFICIENT_BALANCE = "userError.insufficientBalance";

export const LOGIN: WordingOf<LoginErrorCode> = {
  INVALID_CREDENTIALS: SERVER,
  USER_DISABLED: SERVER,
  RATE_LIMITED: SERVER, // says how many minutes to wait
};

export const PAY_INVOICE: WordingOf<PayInvoiceErrorCode> = {
  NOT_FOUND: SERVER,
  ALREADY_PAID,
  INVOICE_VOID: SERVER,
  RETURN_URL_NOT_ALLOWED: SERVER,
  IDEMPOTENCY_KEY_INVALID: SERVER,
  IDEMPOTENCY_CONFLICT: SERVER,
  GATEWAY_UNAVAILABLE,
  GATEWAY_NOT_OFFERED: SERVER,
};

export const PAY_INVOICES: WordingOf<PayInvoicesErrorCode> = {
  NO_INVOICES: "userError.noInvoices",
  TOO_MANY_INVOICES: "userError.tooManyInvoices",
  DUPLICATE_INVOICE: SERVER,
  SELECTION_INVALID: SERVER,
  MIXED_CURRENCIES: "userError.mixedCurrencies",
  NOT_FOUND: "userError.invoiceGone",
  ALREADY_PAID: SERVER, // names the invoice that was paid meanwhile
  INVOICE_VOID: SERVER,
  RETURN_URL_NOT_ALLOWED: SERVER,
  IDEMPOTENCY_KEY_INVALID: SERVER,
  IDEMPOTENCY_CONFLICT: SERVER,
  GATEWAY_UNAVAILABLE,
};

export const TOP_UP_WALLET: WordingOf<TopUpWalletErrorCode> = {
  AMOUNT_INVALID: SERVER,
  NOT_FOUND: SERVER,
  RETURN_URL_NOT_ALLOWED: SERVER,
  IDEMPOTENCY_KEY_INVALID: SERVER,
  IDEMPOTENCY_CONFLICT: SERVER,
  GATEWAY_UNAVAILABLE,
  GATEWAY_NOT_OFFERED: SERVER,
};

export const ADD_PAYMENT_METHOD: WordingOf<AddPaymentMethodErrorCode> = {
  NOT_FOUND: SERVER,
  RETURN_URL_NOT_ALLOWED: SERVER,
  IDEMPOTENCY_KEY_INVALID: SERVER,
  IDEMPOTENCY_CONFLICT: SERVER,
  GATEWAY_UNAVAILABLE,
};

export const APPLY_WALLET_TO_INVOICE: WordingOf<ApplyWalletToInvoiceErrorCode> = {
  NOT_FOUND: SERVER,
  ALREADY_PAID,
  INVOICE_VOID: SERVER,
  INSUFFICIENT_BALANCE,
  AMOUNT_INVALID: SERVER,
  IDEMPOTENCY_KEY_INVALID: SERVER,
  IDEMPOTENCY_CONFLICT: SERVER,
  REFUSED: SERVER,
};

export const REDEEM_GIFT_CARD: WordingOf<RedeemGiftCardErrorCode> = {
  GIFT_CARD_INVALID: SERVER,
  GIFT_CARD_ALREADY_USED: "userError.giftCardUsed",
  RATE_LIMITED: "userError.tooManyAttempts",
  REFUSED: SERVER,
};

export const RENEW_SERVICE: WordingOf<RenewServiceErrorCode> = {
  NOT_FOUND: SERVER,
  NOT_PREPAID: SERVER,
  INSUFFICIENT_BALANCE,
  IDEMPOTENCY_KEY_INVALID: SERVER,
  IDEMPOTENCY_CONFLICT: SERVER,
  REFUSED: SERVER,
};

export const REMOVE_PAYMENT_METHOD: WordingOf<RemovePaymentMethodErrorCode> = {
  NOT_FOUND: SERVER,
  PAYMENT_METHOD_IN_USE: "userError.cardInUse",
  REFUSED: SERVER,
};

export const SET_DEFAULT_PAYMENT_METHOD: WordingOf<SetDefaultPaymentMethodErrorCode> = {
  NOT_FOUND: SERVER,
  CARD_EXPIRED: "userError.cardExpired",
  REFUSED: SERVER,
};

export const SET_AUTOPAY: WordingOf<SetAutopayErrorCode> = {
  AUTOPAY_REQUIRES_CARD: "userError.autopayNeedsCard",
  REFUSED: SERVER,
};

// -- account & security --------------------------------------------------------------------------------------

export const VERIFY_SECOND_FACTOR: WordingOf<VerifySecondFactorErrorCode> = {
  INVALID_CODE: "userError.invalidTotp",
  INVALID_CHALLENGE: SERVER, // says to enter the password again
  RATE_LIMITED: SERVER,
  USER_DISABLED: SERVER,
};

export const CHANGE_PASSWORD: WordingOf<ChangePasswordErrorCode> = {
  INVALID_CREDENTIALS: SERVER,
  PASSWORD_UNCHANGED: SERVER,
  PASSWORD_TOO_SHORT: SERVER,
  PASSWORD_TOO_LONG: SERVER,
  PASSWORD_IS_EMAIL: SERVER,
  PASSWORD_TOO_COMMON: SERVER,
  RATE_LIMITED: SERVER,
};

export const REQUEST_PASSWORD_RESET: WordingOf<RequestPasswordResetErrorCode> = {
  RATE_LIMITED: SERVER,
};

export const RESET_PASSWORD: WordingOf<ResetPasswordErrorCode> = {
  INVALID_TOKEN: SERVER,
  PASSWORD_TOO_SHORT: SERVER,
  PASSWORD_TOO_LONG: SERVER,
  PASSWORD_IS_EMAIL: SERVER,
  PASSWORD_TOO_COMMON: SERVER,
  RATE_LIMITED: SERVER,
};

export const CONFIRM_TOTP: WordingOf<ConfirmTotpEnrolmentErrorCode> = {
  INVALID_CODE: SERVER,
  NOT_ENROLLING: "userError.notEnrolling",
  ALREADY_ENABLED: "userError.totpAlreadyOn",
  RATE_LIMITED: SERVER,
};

export const DISABLE_TOTP: WordingOf<DisableTotpErrorCode> = {
  INVALID_CREDENTIALS: SERVER,
  NOT_ENABLED: "userError.totpAlreadyOff",
  RATE_LIMITED: SERVER,
};

export const REVOKE_SESSION: WordingOf<RevokeSessionErrorCode> = {
  NOT_FOUND: "userError.sessionEnded",
};

export const INVITE_TEAM_MEMBER: WordingOf<InviteTeamMemberErrorCode> = {
  EMAIL_TAKEN: SERVER,
  INVALID_EMAIL: SERVER,
  NOT_ALLOWED: SERVER,
  SITE_REQUIRED: SERVER,
  SITE_NOT_FOUND: SERVER,
  RATE_LIMITED: SERVER, // says when to retry
};

export const CHANGE_TEAM_MEMBER: WordingOf<ChangeTeamMemberErrorCode> = {
  NOT_FOUND: SERVER,
  NOT_ALLOWED: SERVER,
  SELF: SERVER,
  SITE_REQUIRED: SERVER,
  SITE_NOT_FOUND: SERVER,
};

export const DISABLE_TEAM_MEMBER: WordingOf<DisableTeamMemberErrorCode> = {
  NOT_FOUND: SERVER,
  NOT_ALLOWED: SERVER,
  SELF: SERVER,
};

export const SET_LOCALE: WordingOf<SetLocaleErrorCode> = {
  REFUSED: SERVER,
};

export const REMOVE_TEAM_MEMBER: WordingOf<RemoveTeamMemberErrorCode> = {
  NOT_FOUND: SERVER,
  NOT_ALLOWED: SERVER,
  SELF: SERVER,
};
