import { useEffect, useRef, useState } from "react";
import { useMutation } from "urql";
import { describeError } from "../api/errors";
import { pageTitle } from "../brand";
import { graphql } from "../gql";
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

  useEffect(() => {
    document.title = pageTitle("Confirm your login e-mail");
    // The token is in the address bar only until the page has it: not in history, not in a Referer.
    if (window.location.search) window.history.replaceState(null, "", window.location.pathname);
    if (!token || sent.current) return;
    sent.current = true; // once, even when React runs effects twice in development
    void confirm({ token }).then((result) => {
      const payload = result.data?.confirmLoginEmailChange;
      if (payload?.email) setOutcome({ ok: true, text: `You sign in with ${payload.email} from now on.` });
      else if (payload?.userErrors.length) setOutcome({ ok: false, text: userErrorText(payload.userErrors, CONFIRM_LOGIN_EMAIL_CHANGE) });
      else setOutcome({ ok: false, text: result.error ? describeError(result.error).title : "Please try again." });
    });
  }, [token, confirm]);

  return (
    <div className="login">
      <main className="login__panel" id="main">
        <h1 className="login__title">Confirm your login e-mail</h1>
        {!token ? (
          <p className="banner banner--warning" role="alert">
            This page needs the link from the e-mail.
          </p>
        ) : !outcome ? (
          <p role="status">Confirming…</p>
        ) : (
          <>
            <p className={outcome.ok ? "banner banner--success" : "banner banner--warning"} role={outcome.ok ? "status" : "alert"} data-testid="confirm-email-outcome">
              {outcome.text}
            </p>
            <a className="btn btn--primary btn--block" href="/">
              Go to the portal
            </a>
          </>
        )}
      </main>
    </div>
  );
}
