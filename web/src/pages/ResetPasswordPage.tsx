import { useEffect, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { pageTitle } from "../brand";
import { describeError } from "../api/errors";
import { graphql } from "../gql";
import { RESET_PASSWORD, userErrorText } from "../userErrors";
import { useT } from "../i18n/I18nProvider";

// Where the e-mailed link lands (`/reset-password?token=…`): a password reset, or an invitation to set the
// first password. Shown signed in or not; signing in afterwards is up to the person.

const ResetPasswordMutation = graphql(`
  mutation ResetPassword($token: String!, $newPassword: String!) {
    resetPassword(input: { token: $token, newPassword: $newPassword }) {
      ok
      userErrors {
        field
        message
        code
      }
    }
  }
`);

function tokenFromUrl(): string {
  return new URLSearchParams(window.location.search).get("token") ?? "";
}

export function ResetPasswordPage() {
  const [token] = useState(tokenFromUrl);
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [{ fetching }, reset] = useMutation(ResetPasswordMutation);
  const t = useT();

  useEffect(() => {
    document.title = pageTitle(t("reset.title"));
    // The token is in the address bar only until the page has it: not in history, not in a Referer.
    if (window.location.search) window.history.replaceState(null, "", window.location.pathname);
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (fetching) return;
    if (password.length < 10) {
      setError(t("reset.tooShort"));
      return;
    }
    if (password !== repeat) {
      setError(t("reset.mismatch"));
      return;
    }
    setError(null);
    const result = await reset({ token, newPassword: password });
    const payload = result.data?.resetPassword;
    if (payload?.userErrors.length) setError(userErrorText(payload.userErrors, RESET_PASSWORD));
    else if (!payload?.ok) setError(result.error ? describeError(result.error).title : t("common.pleaseTryAgain"));
    else setDone(true);
  }

  return (
    <div className="login">
      <main className="login__panel" id="main">
        <h1 className="login__title">{t("reset.title")}</h1>
        {!token ? (
          <p className="banner banner--warning" role="alert">
            {t("reset.noToken")}
          </p>
        ) : done ? (
          <>
            <p className="banner banner--success" role="status" data-testid="reset-done">
              {t("reset.done")}
            </p>
            <a className="btn btn--primary btn--block" href="/" data-testid="reset-sign-in">
              {t("login.signIn")}
            </a>
          </>
        ) : (
          <form className="form" onSubmit={(e) => void submit(e)} noValidate>
            <p className="muted">{t("reset.rules")}</p>
            <div className="field">
              <label htmlFor="reset-password">{t("reset.new")}</label>
              <input
                id="reset-password"
                type="password"
                autoComplete="new-password"
                autoFocus
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                data-testid="reset-password"
              />
            </div>
            <div className="field">
              <label htmlFor="reset-repeat">{t("reset.repeat")}</label>
              <input
                id="reset-repeat"
                type="password"
                autoComplete="new-password"
                value={repeat}
                onChange={(e) => setRepeat(e.target.value)}
                data-testid="reset-repeat"
              />
            </div>
            {error ? (
              <p className="form__error" role="alert" data-testid="reset-error">
                {error}
              </p>
            ) : null}
            <button type="submit" className="btn btn--primary btn--block" disabled={fetching} data-testid="reset-submit">
              {fetching ? t("common.saving") : t("reset.submit")}
            </button>
          </form>
        )}
      </main>
    </div>
  );
}
