import { useEffect, useId, useState, type FormEvent } from "react";
import { brand, pageTitle } from "../brand";
import { BrandMark, SupportContacts } from "../components/Layout";
import { useAuth } from "../api/auth";
import { ForgotPasswordForm, SecondFactorForm } from "./SignInSteps";
import { LanguagePicker } from "../components/LanguagePicker";
import { useT } from "../i18n/I18nProvider";

type Step = { name: "password" } | { name: "second-factor"; challenge: string } | { name: "forgot" };

export function LoginPage({ notice }: { notice?: string }) {
  const { login } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [step, setStep] = useState<Step>({ name: "password" });
  const errorId = useId();
  const t = useT();

  useEffect(() => {
    document.title = pageTitle(t("login.signIn"));
  }, [t]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (!email.trim() || !password) {
      setError(t("login.enterBoth"));
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      const outcome = await login(email.trim(), password);
      if (outcome && "error" in outcome) {
        setError(outcome.error);
        setSubmitting(false);
      } else if (outcome) {
        setPassword("");
        setSubmitting(false);
        setStep({ name: "second-factor", challenge: outcome.challenge });
      }
    } catch {
      setError(t("login.failed"));
      setSubmitting(false);
    }
  }

  return (
    <div className="login">
      <main className="login__panel" id="main">
        <div className="login__brand">
          <BrandMark large />
          <div>
            <h1 className="login__title">{t("login.title", { brand: brand.name })}</h1>
            <p className="login__tagline">{t("login.tagline")}</p>
          </div>
        </div>
        {step.name === "second-factor" ? (
          <SecondFactorForm challenge={step.challenge} onRestart={() => setStep({ name: "password" })} />
        ) : step.name === "forgot" ? (
          <ForgotPasswordForm email={email} onBack={() => setStep({ name: "password" })} />
        ) : (
          <>
            {notice && !error ? (
              <p className="banner banner--info login__notice" role="status">
                {notice}
              </p>
            ) : null}
            <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={error ? errorId : undefined}>
              <div className="field">
                <label htmlFor="login-email">{t("login.email")}</label>
                <input
                  id="login-email"
                  name="email"
                  type="email"
                  inputMode="email"
                  autoComplete="username"
                  autoFocus
                  required
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                  aria-invalid={error ? true : undefined}
                  data-testid="login-email"
                />
              </div>
              <div className="field">
                <label htmlFor="login-password">{t("login.password")}</label>
                <input
                  id="login-password"
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  aria-invalid={error ? true : undefined}
                  data-testid="login-password"
                />
              </div>
              {error ? (
                <p className="form__error" role="alert" id={errorId} data-testid="login-error">
                  {error}
                </p>
              ) : null}
              <button type="submit" className="btn btn--primary btn--block" disabled={submitting} data-testid="login-submit">
                {submitting ? t("login.signingIn") : t("login.signIn")}
              </button>
              <button
                type="button"
                className="btn btn--ghost btn--small"
                data-testid="forgot-password"
                onClick={() => {
                  setError(null);
                  setStep({ name: "forgot" });
                }}
              >
                {t("login.forgot")}
              </button>
            </form>
          </>
        )}
        <LanguagePicker />
        <p className="login__foot">{t("login.secure")}</p>
        <SupportContacts className="login__foot" />
      </main>
    </div>
  );
}
