import { useEffect, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { pageTitle } from "../brand";
import { useAuth } from "../api/auth";
import { describeError } from "../api/errors";
import { graphql } from "../gql";
import { REQUEST_PASSWORD_RESET, userErrorText } from "../userErrors";
import { toGraphQL } from "../i18n";
import { useLocale, useT } from "../i18n/I18nProvider";

// The steps of signing in besides the password: the second factor, and asking for a reset link.

const RequestPasswordResetMutation = graphql(`
  mutation RequestPasswordReset($email: String!, $locale: Locale) {
    requestPasswordReset(input: { email: $email, locale: $locale }) {
      ok
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export function SecondFactorForm({ challenge, onRestart }: { challenge: string; onRestart: () => void }) {
  const { verifySecondFactor } = useAuth();
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const t = useT();

  useEffect(() => {
    document.title = pageTitle(t("signIn.twoStep"));
  }, [t]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (!code.trim()) {
      setError(useRecovery ? t("signIn.enterRecovery") : t("signIn.enterCode"));
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      const message = await verifySecondFactor(challenge, useRecovery ? { recoveryCode: code.trim() } : { code: code.trim() });
      if (message) {
        setError(message);
        setSubmitting(false);
      }
    } catch {
      setError(t("login.failed"));
      setSubmitting(false);
    }
  }

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="second-factor-form">
      <p>
        {useRecovery
          ? t("signIn.recoveryHelp")
          : t("signIn.codeHelp")}
      </p>
      <div className="field">
        <label htmlFor="second-factor-code">{useRecovery ? t("signIn.recoveryCode") : t("signIn.code")}</label>
        <input
          id="second-factor-code"
          name="code"
          inputMode={useRecovery ? "text" : "numeric"}
          autoComplete="one-time-code"
          autoFocus
          value={code}
          onChange={(e) => setCode(e.target.value)}
          aria-invalid={error ? true : undefined}
          data-testid="second-factor-code"
        />
      </div>
      {error ? (
        <p className="form__error" role="alert" data-testid="second-factor-error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="btn btn--primary btn--block" disabled={submitting} data-testid="second-factor-submit">
        {submitting ? t("signIn.checking") : t("signIn.continue")}
      </button>
      <button
        type="button"
        className="btn btn--ghost btn--small"
        data-testid="second-factor-toggle"
        onClick={() => {
          setUseRecovery(!useRecovery);
          setCode("");
          setError(null);
        }}
      >
        {useRecovery ? t("signIn.useApp") : t("signIn.useRecovery")}
      </button>
      <button type="button" className="btn btn--ghost btn--small" onClick={onRestart}>
        {t("signIn.startOver")}
      </button>
    </form>
  );
}

export function ForgotPasswordForm({ email: initial, onBack }: { email: string; onBack: () => void }) {
  const [email, setEmail] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [{ fetching }, request] = useMutation(RequestPasswordResetMutation);
  const t = useT();
  const { locale } = useLocale();

  useEffect(() => {
    document.title = pageTitle(t("forgot.title"));
  }, [t]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (fetching) return;
    if (!email.trim()) {
      setError(t("forgot.enterEmail"));
      return;
    }
    setError(null);
    // The e-mail is written in the language of this page unless the user chose one.
    const result = await request({ email: email.trim(), locale: toGraphQL(locale) });
    const payload = result.data?.requestPasswordReset;
    if (payload?.userErrors.length) setError(userErrorText(payload.userErrors, REQUEST_PASSWORD_RESET));
    else if (!payload?.ok) setError(result.error ? describeError(result.error).title : t("common.pleaseTryAgain"));
    else setSent(true);
  }

  if (sent) {
    return (
      <div className="form">
        <p className="banner banner--success" role="status" data-testid="reset-requested">
          {t("forgot.sent", { email: email.trim() })}
        </p>
        <button type="button" className="btn btn--secondary btn--block" onClick={onBack}>
          {t("forgot.back")}
        </button>
      </div>
    );
  }
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="forgot-form">
      <p>{t("forgot.intro")}</p>
      <div className="field">
        <label htmlFor="forgot-email">{t("login.email")}</label>
        <input
          id="forgot-email"
          type="email"
          inputMode="email"
          autoComplete="username"
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          data-testid="forgot-email"
        />
      </div>
      {error ? (
        <p className="form__error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="btn btn--primary btn--block" disabled={fetching} data-testid="forgot-submit">
        {fetching ? t("forgot.sending") : t("forgot.send")}
      </button>
      <button type="button" className="btn btn--ghost btn--small" onClick={onBack}>
        {t("forgot.back")}
      </button>
    </form>
  );
}
