import { useEffect, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { pageTitle } from "../brand";
import { useAuth } from "../api/auth";
import { describeError } from "../api/errors";
import { graphql } from "../gql";
import { REQUEST_PASSWORD_RESET, userErrorText } from "../userErrors";

// The steps of signing in besides the password: the second factor, and asking for a reset link.

const RequestPasswordResetMutation = graphql(`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(input: { email: $email }) {
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

  useEffect(() => {
    document.title = pageTitle("Two-step sign-in");
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (!code.trim()) {
      setError(useRecovery ? "Enter one of your recovery codes." : "Enter the 6-digit code from your app.");
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
      setError("We couldn't sign you in. Please try again.");
      setSubmitting(false);
    }
  }

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="second-factor-form">
      <p>
        {useRecovery
          ? "Enter one of the recovery codes you saved when you turned on two-step sign-in. Each works once."
          : "Open your authenticator app and enter the 6-digit code it shows for WISPGate."}
      </p>
      <div className="field">
        <label htmlFor="second-factor-code">{useRecovery ? "Recovery code" : "Code"}</label>
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
        {submitting ? "Checking…" : "Continue"}
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
        {useRecovery ? "Use a code from the app instead" : "Lost your phone? Use a recovery code"}
      </button>
      <button type="button" className="btn btn--ghost btn--small" onClick={onRestart}>
        Start over
      </button>
    </form>
  );
}

export function ForgotPasswordForm({ email: initial, onBack }: { email: string; onBack: () => void }) {
  const [email, setEmail] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [{ fetching }, request] = useMutation(RequestPasswordResetMutation);

  useEffect(() => {
    document.title = pageTitle("Reset your password");
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (fetching) return;
    if (!email.trim()) {
      setError("Enter the e-mail address you sign in with.");
      return;
    }
    setError(null);
    const result = await request({ email: email.trim() });
    const payload = result.data?.requestPasswordReset;
    if (payload?.userErrors.length) setError(userErrorText(payload.userErrors, REQUEST_PASSWORD_RESET));
    else if (!payload?.ok) setError(result.error ? describeError(result.error).title : "Please try again.");
    else setSent(true);
  }

  if (sent) {
    return (
      <div className="form">
        <p className="banner banner--success" role="status" data-testid="reset-requested">
          If {email.trim()} belongs to a portal login, we have sent it a link to choose a new password. The link works
          once, for 30 minutes.
        </p>
        <button type="button" className="btn btn--secondary btn--block" onClick={onBack}>
          Back to sign in
        </button>
      </div>
    );
  }
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="forgot-form">
      <p>Enter the e-mail address you sign in with. We will send you a link to choose a new password.</p>
      <div className="field">
        <label htmlFor="forgot-email">E-mail</label>
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
        {fetching ? "Sending…" : "Send the link"}
      </button>
      <button type="button" className="btn btn--ghost btn--small" onClick={onBack}>
        Back to sign in
      </button>
    </form>
  );
}
