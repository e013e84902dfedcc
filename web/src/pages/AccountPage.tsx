import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import { useAuth, useViewer } from "../api/auth";
import { describeError } from "../api/errors";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorBanner, Skeleton } from "../components/Feedback";
import { LanguagePicker } from "../components/LanguagePicker";
import { PageHeader } from "../components/Layout";
import { formatDateTime } from "../format";
import { graphql } from "../gql";
import type { AccessLogAction } from "../gql/graphql";
import { label, ROLE_LABEL } from "../labels";
import { asSentence, CHANGE_PASSWORD, CONFIRM_TOTP, DISABLE_TOTP, REVOKE_SESSION, userErrorText } from "../userErrors";

// Account & security: who you are, your password, two-step sign-in, where you are signed in, and the log.

const AccountQuery = graphql(`
  query Account {
    viewer {
      twoFactorEnabled
      sessions {
        id
        browser
        operatingSystem
        device
        ipAddress
        signedInAt
        lastActiveAt
        current
      }
      accessLog(first: 50) {
        nodes {
          id
          action
          at
          ipAddress
          device
          userName
          detail
        }
      }
    }
  }
`);

const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      ok
      endedSessionCount
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const BeginTotpMutation = graphql(`
  mutation BeginTotpEnrolment {
    beginTotpEnrolment {
      enrolment {
        secret
        otpauthUri
        qrCodeSvg
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const ConfirmTotpMutation = graphql(`
  mutation ConfirmTotpEnrolment($code: String!) {
    confirmTotpEnrolment(input: { code: $code }) {
      recoveryCodes
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const DisableTotpMutation = graphql(`
  mutation DisableTotp($password: String) {
    disableTotp(input: { password: $password }) {
      ok
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const RevokeSessionMutation = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(input: { sessionId: $id }) {
      revokedSessionId
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const SignOutEverywhereMutation = graphql(`
  mutation SignOutEverywhere {
    signOutEverywhere(input: { keepCurrent: true }) {
      endedCount
    }
  }
`);

const ACTION_LABEL: Record<AccessLogAction, string> = {
  SIGNED_IN: "Signed in",
  SIGN_IN_FAILED: "Failed sign-in",
  SIGN_IN_THROTTLED: "Sign-ins slowed down",
  SIGNED_OUT: "Signed out",
  SESSION_REVOKED: "Session ended",
  SIGNED_OUT_EVERYWHERE: "Signed out everywhere",
  PASSWORD_CHANGED: "Password changed",
  PASSWORD_RESET: "Password reset",
  TWO_FACTOR_ENABLED: "Two-step sign-in on",
  TWO_FACTOR_DISABLED: "Two-step sign-in off",
  PAYMENT_STARTED: "Payment started",
  CARD_ADDED: "Card added",
  CARD_REMOVED: "Card removed",
  DEFAULT_CARD_CHANGED: "Default card changed",
  AUTOPAY_CHANGED: "Autopay changed",
  TEAM_CHANGED: "Team changed",
  OTHER: "Other",
};

export function AccountPage() {
  const viewer = useViewer();
  const [{ data, error, fetching }, refetch] = useQuery({ query: AccountQuery, requestPolicy: "cache-and-network" });
  const reload = () => refetch({ requestPolicy: "network-only" });
  const account = data?.viewer;

  return (
    <>
      <PageHeader title="Account & security" subtitle="Your login, how you sign in, and where you are signed in." />
      {error && !account ? <ErrorBanner error={error} onRetry={reload} /> : null}
      <section className="card" aria-labelledby="profile-title">
        <div className="card__head">
          <h2 id="profile-title" className="card__title">
            Profile
          </h2>
        </div>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{viewer.user.name}</dd>
          <dt>E-mail</dt>
          <dd data-testid="profile-email">{viewer.user.email}</dd>
          <dt>Role</dt>
          <dd>{label(ROLE_LABEL, viewer.role)}</dd>
        </dl>
        <LanguagePicker save />
        {viewer.canManageTeam ? (
          <p>
            <Link to="/team" data-testid="account-team-link">
              Manage the people who use this account
            </Link>
          </p>
        ) : null}
      </section>
      <ChangePasswordCard onChanged={reload} />
      {account ? (
        <SecondFactorCard enabled={account.twoFactorEnabled ?? false} onChanged={reload} />
      ) : fetching ? (
        <Skeleton />
      ) : null}
      {account ? <SessionsCard sessions={account.sessions} onChanged={reload} /> : null}
      {account?.accessLog ? (
        <section className="card" aria-labelledby="log-title">
          <div className="card__head">
            <h2 id="log-title" className="card__title">
              Access log
            </h2>
          </div>
          {/* Scrolls sideways on a phone: focusable, so the keyboard can scroll it too. */}
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Access log table">
            <table className="table table--compact" data-testid="access-log">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Who</th>
                  <th scope="col">Device</th>
                  <th scope="col">Address</th>
                </tr>
              </thead>
              <tbody>
                {account.accessLog.nodes.map((entry) => (
                  <tr key={entry.id} data-testid="access-log-row">
                    <td>{formatDateTime(entry.at)}</td>
                    <td>
                      {ACTION_LABEL[entry.action]}
                      {entry.detail ? <span className="muted small"> — {entry.detail}</span> : null}
                    </td>
                    <td>{entry.userName ?? "—"}</td>
                    <td>{entry.device ?? "—"}</td>
                    <td className="mono">{entry.ipAddress ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}

function ChangePasswordCard({ onChanged }: { onChanged: () => void }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [{ fetching }, change] = useMutation(ChangePasswordMutation);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (fetching) return;
    const result = await change({ input: { currentPassword: current, newPassword: next } });
    const payload = result.data?.changePassword;
    if (payload?.userErrors.length) setMessage({ ok: false, text: userErrorText(payload.userErrors, CHANGE_PASSWORD) });
    else if (!payload?.ok) setMessage({ ok: false, text: result.error ? describeError(result.error).title : "Please try again." });
    else {
      const ended = payload.endedSessionCount ?? 0;
      setMessage({ ok: true, text: `Your password is changed.${ended ? ` ${ended} other session(s) were signed out.` : ""}` });
      setCurrent("");
      setNext("");
      onChanged();
    }
  }

  return (
    <section className="card" aria-labelledby="password-title">
      <div className="card__head">
        <h2 id="password-title" className="card__title">
          Password
        </h2>
      </div>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="current-password">Current password</label>
          <input
            id="current-password"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            data-testid="current-password"
          />
        </div>
        <div className="field">
          <label htmlFor="new-password">New password</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            data-testid="new-password"
          />
        </div>
        <p className="muted small">At least 10 characters; not your e-mail address and not a common password.</p>
        {message ? (
          <p className={message.ok ? "form-success" : "form__error"} role={message.ok ? "status" : "alert"} data-testid="password-message">
            {message.text}
          </p>
        ) : null}
        <button type="submit" className="btn btn--primary" disabled={fetching || !current || !next} data-testid="change-password">
          {fetching ? "Saving…" : "Change password"}
        </button>
      </form>
    </section>
  );
}

function SecondFactorCard({ enabled, onChanged }: { enabled: boolean; onChanged: () => void }) {
  const [enrolment, setEnrolment] = useState<{ secret: string; qrCodeSvg: string } | null>(null);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [begin, beginTotp] = useMutation(BeginTotpMutation);
  const [confirm, confirmTotp] = useMutation(ConfirmTotpMutation);
  const [disable, disableTotp] = useMutation(DisableTotpMutation);

  async function start() {
    setError(null);
    const result = await beginTotp({});
    const payload = result.data?.beginTotpEnrolment;
    if (payload?.enrolment) setEnrolment(payload.enrolment);
    else setError((payload?.userErrors[0] ? asSentence(payload.userErrors[0].message) : null) ?? (result.error ? describeError(result.error).title : "Please try again."));
  }

  async function finish(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await confirmTotp({ code: code.trim() });
    const payload = result.data?.confirmTotpEnrolment;
    if (payload?.userErrors.length) setError(userErrorText(payload.userErrors, CONFIRM_TOTP));
    else if (!payload?.recoveryCodes) setError(result.error ? describeError(result.error).title : "Please try again.");
    else {
      setError(null);
      setEnrolment(null);
      setCode("");
      setRecoveryCodes(payload.recoveryCodes);
      onChanged();
    }
  }

  async function turnOff(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await disableTotp({ password });
    const payload = result.data?.disableTotp;
    if (payload?.userErrors.length) setError(userErrorText(payload.userErrors, DISABLE_TOTP));
    else if (!payload?.ok) setError(result.error ? describeError(result.error).title : "Please try again.");
    else {
      setError(null);
      setPassword("");
      setRecoveryCodes(null);
      onChanged();
    }
  }

  return (
    <section className="card" aria-labelledby="second-factor-title" data-testid="second-factor-card">
      <div className="card__head">
        <h2 id="second-factor-title" className="card__title">
          Two-step sign-in
        </h2>
        <span className={`badge ${enabled ? "badge--active" : "badge--neutral"}`} data-testid="second-factor-status">
          {enabled ? "On" : "Off"}
        </span>
      </div>
      {recoveryCodes ? (
        <div className="banner banner--warning" data-testid="recovery-codes">
          <div className="banner__text">
            <p>
              <strong>Save these recovery codes now.</strong> Each one signs you in once if you lose your phone. They
              will not be shown again.
            </p>
            <ul className="plain-list mono recovery-codes">
              {recoveryCodes.map((c) => (
                <li key={c} data-testid="recovery-code">
                  {c}
                </li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
      {enabled ? (
        <form className="form" onSubmit={(e) => void turnOff(e)} noValidate>
          <p>Signing in needs your password and a code from your authenticator app.</p>
          <div className="field">
            <label htmlFor="totp-off-password">Your password, to turn it off</label>
            <input
              id="totp-off-password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="totp-off-password"
            />
          </div>
          <button type="submit" className="btn btn--danger" disabled={disable.fetching || !password} data-testid="totp-off">
            Turn off two-step sign-in
          </button>
        </form>
      ) : enrolment ? (
        <form className="form" onSubmit={(e) => void finish(e)} noValidate>
          <p>Scan this code with an authenticator app (or type the key), then enter the 6-digit code it shows.</p>
          <img src={enrolment.qrCodeSvg} alt="QR code for your authenticator app" width={200} height={200} data-testid="totp-qr" />
          <p className="mono small" data-testid="totp-secret">
            {enrolment.secret}
          </p>
          <div className="field">
            <label htmlFor="totp-code">Code from the app</label>
            <input
              id="totp-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              data-testid="totp-code"
            />
          </div>
          <button type="submit" className="btn btn--primary" disabled={confirm.fetching || !code.trim()} data-testid="totp-confirm">
            Turn on
          </button>
        </form>
      ) : (
        <div className="form">
          <p>Add a code from your phone to your password, so a stolen password alone cannot sign in.</p>
          <button type="button" className="btn btn--primary" disabled={begin.fetching} onClick={() => void start()} data-testid="totp-begin">
            Set up two-step sign-in
          </button>
        </div>
      )}
      {error ? (
        <p className="form__error" role="alert" data-testid="second-factor-card-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}

interface SessionRow {
  id: string;
  browser: string;
  operatingSystem: string;
  device: string;
  ipAddress: string | null;
  signedInAt: string;
  lastActiveAt: string;
  current: boolean;
}

function SessionsCard({ sessions, onChanged }: { sessions: SessionRow[]; onChanged: () => void }) {
  const { logout } = useAuth();
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [, revoke] = useMutation(RevokeSessionMutation);
  const [everywhere, signOutEverywhere] = useMutation(SignOutEverywhereMutation);

  async function end(row: SessionRow) {
    if (row.current) {
      await logout();
      return;
    }
    const result = await revoke({ id: row.id });
    const payload = result.data?.revokeSession;
    if (payload?.userErrors.length) setError(userErrorText(payload.userErrors, REVOKE_SESSION));
    else if (result.error) setError(describeError(result.error).title);
    onChanged();
  }

  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="card__head">
        <h2 id="sessions-title" className="card__title">
          Where you are signed in
        </h2>
        <button
          type="button"
          className="btn btn--secondary btn--small"
          disabled={everywhere.fetching || sessions.length < 2}
          onClick={() => setConfirming(true)}
          data-testid="sign-out-everywhere"
        >
          Sign out everywhere else
        </button>
      </div>
      <ul className="plain-list">
        {sessions.map((row) => (
          <li key={row.id} className="plain-list__row" data-testid="session-row">
            <div>
              <strong>
                {row.browser} on {row.operatingSystem}
              </strong>{" "}
              {row.current ? <span className="badge badge--active">This device</span> : null}
              <div className="muted small">
                {row.device} · {row.ipAddress ?? "unknown address"} · signed in {formatDateTime(row.signedInAt)} · last
                active {formatDateTime(row.lastActiveAt)}
              </div>
            </div>
            <div className="plain-list__end">
              <button type="button" className="btn btn--ghost btn--small" onClick={() => void end(row)} data-testid="session-sign-out">
                Sign out
              </button>
            </div>
          </li>
        ))}
      </ul>
      {error ? (
        <p className="form__error" role="alert">
          {error}
        </p>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Sign out everywhere else?"
        confirmText="Sign out the others"
        busy={everywhere.fetching}
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          void signOutEverywhere({}).then(() => {
            setConfirming(false);
            onChanged();
          });
        }}
        testId="sign-out-everywhere-dialog"
      >
        Every other browser and app signed in as you will have to sign in again. This one stays signed in.
      </ConfirmDialog>
    </section>
  );
}
