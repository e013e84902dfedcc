import { useEffect, useRef, useState } from "react";
import { useMutation } from "urql";
import { describeError } from "../api/errors";
import { pageTitle } from "../brand";
import { graphql } from "../gql";
import { t as inLanguageOnScreen } from "../i18n";
import { useT } from "../i18n/I18nProvider";
import { userErrorText } from "../userErrors";
import { CONFIRM_LOGIN_EMAIL_CHANGE } from "./wording";

// Where the link e-mailed to a new login address lands (`/confirm-email?token=…`): opening it is the
// confirmation, signed in or not, on any device.

const ConfirmLoginEmailChangeMutation = graphql(`
  mutation ConfirmLoginEmailChange($token: String!) {
    confirmLoginEmailChange(input: { token: $token }) {
      email
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export function ConfirmEmailPage() {
  const [token] = useState(() => new URLSearchParams(window.location.search).get("token") ?? "");
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [, confirm] = useMutation(ConfirmLoginEmailChangeMutation);
  const sent = useRef(false);
  const t = useT();

  useEffect(() => {
    document.title = pageTitle(t("confirmEmail.title"));
  }, [t]);

  useEffect(() => {
    // The token is in the address bar only until the page has it: not in history, not in a Referer.
    if (window.location.search) window.history.replaceState(null, "", window.location.pathname);
    if (!token || sent.current) return;
    sent.current = true; // once, even when React runs effects twice in development
    void confirm({ token }).then((result) => {
      const payload = result.data?.confirmLoginEmailChange;
      if (payload?.email) setOutcome({ ok: true, text: inLanguageOnScreen("confirmEmail.done", { email: payload.email }) });
      else if (payload?.userErrors.length) setOutcome({ ok: false, text: userErrorText(payload.userErrors, CONFIRM_LOGIN_EMAIL_CHANGE) });
      else setOutcome({ ok: false, text: result.error ? describeError(result.error).title : inLanguageOnScreen("common.pleaseTryAgain") });
    });
  }, [token, confirm]);

  return (
    <div className="login">
      <main className="login__panel" id="main">
        <h1 className="login__title">{t("confirmEmail.title")}</h1>
        {!token ? (
          <p className="banner banner--warning" role="alert">
            {t("confirmEmail.noToken")}
          </p>
        ) : !outcome ? (
          <p role="status">{t("confirmEmail.confirming")}</p>
        ) : (
          <>
            <p className={outcome.ok ? "banner banner--success" : "banner banner--warning"} role={outcome.ok ? "status" : "alert"} data-testid="confirm-email-outcome">
              {outcome.text}
            </p>
            <a className="btn btn--primary btn--block" href="/">
              {t("confirmEmail.goPortal")}
            </a>
          </>
        )}
      </main>
    </div>
  );
}
