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
import { ContactDetailsCard } from "../profile/ContactDetailsCard";
import { NotificationPreferencesCard } from "../profile/NotificationPreferencesCard";
import { graphql } from "../gql";
import { t, type MessageKey } from "../i18n";
import type { AccessLogAction } from "../gql/graphql";
import { label, ROLE_LABEL } from "../labels";
import { asSentence, CHANGE_PASSWORD, CONFIRM_TOTP, DISABLE_TOTP, REVOKE_SESSION, userErrorText } from "../userErrors";

// Account & security: who you are, your contact details and notification preferences, your password, two-step sign-in, where you are signed in, and the log.

const AccountQuery = graphql(`
  query Account {
    viewer {
      twoFactorEnabled
      profile {
        phone
        notificationPreferences {
          kind
          channel
          enabled
          locked
        }
      }
      subscriber {
        id
        email
        phone
        address
        billingAddress {
          lines
          city
          region
          postalCode
          country
        }
      }
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

const ACTION_LABEL: Record<AccessLogAction, MessageKey> = {
  SIGNED_IN: "log.SIGNED_IN",
  SIGN_IN_FAILED: "log.SIGN_IN_FAILED",
  SIGN_IN_THROTTLED: "log.SIGN_IN_THROTTLED",
  SIGNED_OUT: "log.SIGNED_OUT",
  SESSION_REVOKED: "log.SESSION_REVOKED",
  SIGNED_OUT_EVERYWHERE: "log.SIGNED_OUT_EVERYWHERE",
  PASSWORD_CHANGED: "log.PASSWORD_CHANGED",
  PASSWORD_RESET: "log.PASSWORD_RESET",
  TWO_FACTOR_ENABLED: "log.TWO_FACTOR_ENABLED",
  TWO_FACTOR_DISABLED: "log.TWO_FACTOR_DISABLED",
  PAYMENT_STARTED: "log.PAYMENT_STARTED",
  CARD_ADDED: "log.CARD_ADDED",
  CARD_REMOVED: "log.CARD_REMOVED",
  DEFAULT_CARD_CHANGED: "log.DEFAULT_CARD_CHANGED",
  AUTOPAY_CHANGED: "log.AUTOPAY_CHANGED",
  TEAM_CHANGED: "log.TEAM_CHANGED",
  CONTACT_DETAILS_CHANGED: "log.CONTACT_DETAILS_CHANGED",
  PHONE_CHANGED: "log.PHONE_CHANGED",
  NOTIFICATION_PREFERENCES_CHANGED: "log.NOTIFICATION_PREFERENCES_CHANGED",
  LOGIN_EMAIL_CHANGE_REQUESTED: "log.LOGIN_EMAIL_CHANGE_REQUESTED",
  LOGIN_EMAIL_CHANGED: "log.LOGIN_EMAIL_CHANGED",
  OTHER: "log.OTHER",
};

export function AccountPage() {
  const viewer = useViewer();
  const [{ data, error, fetching }, refetch] = useQuery({ query: AccountQuery, requestPolicy: "cache-and-network" });
  const reload = () => refetch({ requestPolicy: "network-only" });
  const account = data?.viewer;

  return (
    <>
      <PageHeader title={t("nav.account")} subtitle={t("account.subtitle")} />
      {error && !account ? <ErrorBanner error={error} onRetry={reload} /> : null}
      <section className="card" aria-labelledby="profile-title">
        <div className="card__head">
          <h2 id="profile-title" className="card__title">
            {t("account.profile")}
          </h2>
        </div>
        <dl className="facts">
          <dt>{t("account.name")}</dt>
          <dd>{viewer.user.name}</dd>
          <dt>{t("login.email")}</dt>
          <dd data-testid="profile-email">{viewer.user.email}</dd>
          <dt>{t("account.role")}</dt>
          <dd>{label(ROLE_LABEL, viewer.role)}</dd>
        </dl>
        <LanguagePicker save />
        {viewer.canManageTeam ? (
          <p>
            <Link to="/team" data-testid="account-team-link">
              {t("account.manageTeam")}
            </Link>
          </p>
        ) : null}
      </section>
      {account ? (
        <ContactDetailsCard
          contact={account.subscriber}
          loginEmail={viewer.user.email}
          myPhone={account.profile?.phone ?? null}
          canEditAccount={viewer.role === "OWNER" || viewer.role === "MANAGER"}
          canEditOwn={viewer.role !== "VIEWER"}
          onSaved={reload}
        />
      ) : null}
      {account?.profile ? <NotificationPreferencesCard preferences={account.profile.notificationPreferences} onSaved={reload} /> : null}
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
              {t("account.log")}
            </h2>
          </div>
          {/* Scrolls sideways on a phone: focusable, so the keyboard can scroll it too. */}
          <div className="table-wrap" tabIndex={0} role="region" aria-label={t("account.logTable")}>
            <table className="table table--compact" data-testid="access-log">
              <thead>
                <tr>
                  <th scope="col">{t("account.col.when")}</th>
                  <th scope="col">{t("account.col.what")}</th>
                  <th scope="col">{t("account.col.who")}</th>
                  <th scope="col">{t("account.col.device")}</th>
                  <th scope="col">{t("account.col.address")}</th>
                </tr>
              </thead>
              <tbody>
                {account.accessLog.nodes.map((entry) => (
                  <tr key={entry.id} data-testid="access-log-row">
                    <td>{formatDateTime(entry.at)}</td>
                    <td>
                      {t(ACTION_LABEL[entry.action] ?? "log.OTHER")}
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
    else if (!payload?.ok) setMessage({ ok: false, text: result.error ? describeError(result.error).title : t("common.pleaseTryAgain") });
    else {
      const ended = payload.endedSessionCount ?? 0;
      setMessage({ ok: true, text: ended ? t("account.passwordChangedEnded", { count: ended }) : t("account.passwordChanged") });
      setCurrent("");
      setNext("");
      onChanged();
    }
  }

  return (
    <section className="card" aria-labelledby="password-title">
      <div className="card__head">
        <h2 id="password-title" className="card__title">
          {t("login.password")}
        </h2>
      </div>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="current-password">{t("account.currentPassword")}</label>
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
          <label htmlFor="new-password">{t("reset.new")}</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            data-testid="new-password"
          />
        </div>
        <p className="muted small">{t("reset.rules")}</p>
        {message ? (
          <p className={message.ok ? "form-success" : "form__error"} role={message.ok ? "status" : "alert"} data-testid="password-message">
            {message.text}
          </p>
        ) : null}
        <button type="submit" className="btn btn--primary" disabled={fetching || !current || !next} data-testid="change-password">
          {fetching ? t("common.saving") : t("account.changePassword")}
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
    else setError((payload?.userErrors[0] ? asSentence(payload.userErrors[0].message) : null) ?? (result.error ? describeError(result.error).title : t("common.pleaseTryAgain")));
  }

  async function finish(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await confirmTotp({ code: code.trim() });
    const payload = result.data?.confirmTotpEnrolment;
    if (payload?.userErrors.length) setError(userErrorText(payload.userErrors, CONFIRM_TOTP));
    else if (!payload?.recoveryCodes) setError(result.error ? describeError(result.error).title : t("common.pleaseTryAgain"));
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
    else if (!payload?.ok) setError(result.error ? describeError(result.error).title : t("common.pleaseTryAgain"));
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
          {t("signIn.twoStep")}
        </h2>
        <span className={`badge ${enabled ? "badge--active" : "badge--neutral"}`} data-testid="second-factor-status">
          {enabled ? t("account.on") : t("account.off")}
        </span>
      </div>
      {recoveryCodes ? (
        <div className="banner banner--warning" data-testid="recovery-codes">
          <div className="banner__text">
            <p>
              <strong>{t("account.saveCodes")}</strong> {t("account.saveCodesHelp")}
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
          <p>{t("account.twoStepOn")}</p>
          <div className="field">
            <label htmlFor="totp-off-password">{t("account.passwordToTurnOff")}</label>
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
            {t("account.turnOff")}
          </button>
        </form>
      ) : enrolment ? (
        <form className="form" onSubmit={(e) => void finish(e)} noValidate>
          <p>{t("account.scan")}</p>
          <img src={enrolment.qrCodeSvg} alt={t("account.qrAlt")} width={200} height={200} data-testid="totp-qr" />
          <p className="mono small" data-testid="totp-secret">
            {enrolment.secret}
          </p>
          <div className="field">
            <label htmlFor="totp-code">{t("account.codeFromApp")}</label>
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
            {t("account.turnOn")}
          </button>
        </form>
      ) : (
        <div className="form">
          <p>{t("account.twoStepPitch")}</p>
          <button type="button" className="btn btn--primary" disabled={begin.fetching} onClick={() => void start()} data-testid="totp-begin">
            {t("account.setUp")}
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
          {t("account.sessions")}
        </h2>
        <button
          type="button"
          className="btn btn--secondary btn--small"
          disabled={everywhere.fetching || sessions.length < 2}
          onClick={() => setConfirming(true)}
          data-testid="sign-out-everywhere"
        >
          {t("account.signOutOthers")}
        </button>
      </div>
      <ul className="plain-list">
        {sessions.map((row) => (
          <li key={row.id} className="plain-list__row" data-testid="session-row">
            <div>
              <strong>
                {t("account.browserOn", { browser: row.browser, os: row.operatingSystem })}
              </strong>{" "}
              {row.current ? <span className="badge badge--active">{t("account.thisDevice")}</span> : null}
              <div className="muted small">
                {row.device} · {row.ipAddress ?? t("account.unknownAddress")} ·{" "}
                {t("account.signedInActive", { signedIn: formatDateTime(row.signedInAt), active: formatDateTime(row.lastActiveAt) })}
              </div>
            </div>
            <div className="plain-list__end">
              <button type="button" className="btn btn--ghost btn--small" onClick={() => void end(row)} data-testid="session-sign-out">
                {t("layout.signOut")}
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
        title={t("account.signOutOthersTitle")}
        confirmText={t("account.signOutOthersConfirm")}
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
        {t("account.signOutOthersBody")}
      </ConfirmDialog>
    </section>
  );
}
