import { useEffect, useState } from "react";
import { useMutation } from "urql";
import { describeError } from "../api/errors";
import { graphql } from "../gql";
import type { NotificationChannel, NotificationPreferenceKind } from "../gql/graphql";
import { intlLocale, t, type MessageKey } from "../i18n";
import { userErrorText } from "../userErrors";
import { SET_NOTIFICATION_PREFERENCES } from "./wording";

// "Notifications": a kind × channel grid of checkboxes, saved at once with the button. Every user sets their
// own (VIEWER too: it is their inbox). SECURITY e-mail shows checked and cannot be unticked.

const SetNotificationPreferencesMutation = graphql(`
  mutation SetNotificationPreferences($input: SetNotificationPreferencesInput!) {
    setNotificationPreferences(input: $input) {
      profile {
        notificationPreferences {
          kind
          channel
          enabled
          locked
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export interface Preference {
  kind: NotificationPreferenceKind;
  channel: NotificationChannel;
  enabled: boolean;
  locked: boolean;
}

const KINDS: readonly { kind: NotificationPreferenceKind; label: MessageKey; hint: MessageKey }[] = [
  { kind: "PAYMENTS", label: "prefs.kind.PAYMENTS", hint: "prefs.hint.PAYMENTS" },
  { kind: "OUTAGES", label: "prefs.kind.OUTAGES", hint: "prefs.hint.OUTAGES" },
  { kind: "TICKETS", label: "prefs.kind.TICKETS", hint: "prefs.hint.TICKETS" },
  { kind: "USAGE", label: "prefs.kind.USAGE", hint: "prefs.hint.USAGE" },
  { kind: "SECURITY", label: "prefs.kind.SECURITY", hint: "prefs.hint.SECURITY" },
];
const CHANNELS: readonly { channel: NotificationChannel; label: MessageKey }[] = [
  { channel: "PORTAL", label: "prefs.channel.PORTAL" },
  { channel: "EMAIL", label: "prefs.channel.EMAIL" },
];

const key = (kind: string, channel: string) => `${kind}/${channel}`;

export function NotificationPreferencesCard({ preferences, onSaved }: { preferences: readonly Preference[]; onSaved: () => void }) {
  const [state, setState] = useState<Map<string, Preference>>(new Map());
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [{ fetching }, save] = useMutation(SetNotificationPreferencesMutation);
  useEffect(() => setState(new Map(preferences.map((p) => [key(p.kind, p.channel), p]))), [preferences]);

  function toggle(p: Preference) {
    if (p.locked) return;
    setMessage(null);
    setState((old) => new Map(old).set(key(p.kind, p.channel), { ...p, enabled: !p.enabled }));
  }

  async function submit() {
    if (fetching) return;
    const changes = [...state.values()].filter((p) => !p.locked).map(({ kind, channel, enabled }) => ({ kind, channel, enabled }));
    const result = await save({ input: { preferences: changes } });
    const payload = result.data?.setNotificationPreferences;
    if (payload?.userErrors.length) setMessage({ ok: false, text: userErrorText(payload.userErrors, SET_NOTIFICATION_PREFERENCES) });
    else if (!payload?.profile) setMessage({ ok: false, text: result.error ? describeError(result.error).title : t("common.pleaseTryAgain") });
    else {
      setState(new Map(payload.profile.notificationPreferences.map((p) => [key(p.kind, p.channel), p])));
      setMessage({ ok: true, text: t("prefs.saved") });
      onSaved();
    }
  }

  return (
    <section className="card" aria-labelledby="notifications-title" data-testid="notification-preferences">
      <div className="card__head">
        <h2 id="notifications-title" className="card__title">
          {t("prefs.title")}
        </h2>
      </div>
      <p className="muted small">{t("prefs.intro")}</p>
      <div className="table-wrap" tabIndex={0} role="region" aria-label={t("prefs.region")}>
        <table className="table table--compact">
          <caption className="sr-only">{t("prefs.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("prefs.about")}</th>
              {CHANNELS.map((c) => (
                <th scope="col" key={c.channel}>
                  {t(c.label)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {KINDS.map((k) => (
              <tr key={k.kind}>
                <th scope="row">
                  {t(k.label)}
                  <span className="muted small" style={{ display: "block", fontWeight: "normal" }}>
                    {t(k.hint)}
                  </span>
                </th>
                {CHANNELS.map((c) => {
                  const p = state.get(key(k.kind, c.channel));
                  if (!p) return <td key={c.channel}>—</td>;
                  const id = `pref-${k.kind}-${c.channel}`.toLowerCase();
                  return (
                    <td key={c.channel}>
                      <input
                        id={id}
                        type="checkbox"
                        checked={p.enabled}
                        disabled={p.locked || fetching}
                        onChange={() => toggle(p)}
                        aria-label={t("prefs.switch", { kind: t(k.label), channel: t(c.label).toLocaleLowerCase(intlLocale()) })}
                        aria-describedby={p.locked ? "security-locked" : undefined}
                        data-testid={id}
                      />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p id="security-locked" className="muted small">
        {t("prefs.securityLocked")}
      </p>
      {message ? (
        <p className={message.ok ? "form-success" : "form__error"} role={message.ok ? "status" : "alert"} data-testid="preferences-message">
          {message.text}
        </p>
      ) : null}
      <button type="button" className="btn btn--primary" onClick={() => void submit()} disabled={fetching} data-testid="save-preferences">
        {fetching ? t("common.saving") : t("prefs.save")}
      </button>
    </section>
  );
}
