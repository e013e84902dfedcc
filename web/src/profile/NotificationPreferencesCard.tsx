import { useEffect, useState } from "react";
import { useMutation } from "urql";
import { describeError } from "../api/errors";
import { graphql } from "../gql";
import type { NotificationChannel, NotificationPreferenceKind } from "../gql/graphql";
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

const KINDS: readonly { kind: NotificationPreferenceKind; label: string; hint: string }[] = [
  { kind: "PAYMENTS", label: "Payments", hint: "Invoices, payments received or failed, wallet credits" },
  { kind: "OUTAGES", label: "Outages and service", hint: "Outages, planned work, a service suspended or restored" },
  { kind: "TICKETS", label: "Support tickets", hint: "Replies and status changes of your tickets" },
  { kind: "USAGE", label: "Usage", hint: "Data usage and caps" },
  { kind: "SECURITY", label: "Security", hint: "New sign-ins, changed passwords and contact e-mails" },
];
const CHANNELS: readonly { channel: NotificationChannel; label: string }[] = [
  { channel: "PORTAL", label: "In the portal" },
  { channel: "EMAIL", label: "By e-mail" },
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
    else if (!payload?.profile) setMessage({ ok: false, text: result.error ? describeError(result.error).title : "Please try again." });
    else {
      setState(new Map(payload.profile.notificationPreferences.map((p) => [key(p.kind, p.channel), p])));
      setMessage({ ok: true, text: "Your notification preferences are saved." });
      onSaved();
    }
  }

  return (
    <section className="card" aria-labelledby="notifications-title" data-testid="notification-preferences">
      <div className="card__head">
        <h2 id="notifications-title" className="card__title">
          Notifications
        </h2>
      </div>
      <p className="muted small">Choose what reaches you, and where. These are yours alone; others on the account choose their own.</p>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Notification preferences">
        <table className="table table--compact">
          <caption className="sr-only">Which notifications you receive, by kind and channel</caption>
          <thead>
            <tr>
              <th scope="col">About</th>
              {CHANNELS.map((c) => (
                <th scope="col" key={c.channel}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {KINDS.map((k) => (
              <tr key={k.kind}>
                <th scope="row">
                  {k.label}
                  <span className="muted small" style={{ display: "block", fontWeight: "normal" }}>
                    {k.hint}
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
                        aria-label={`${k.label}: ${c.label.toLowerCase()}`}
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
        Security e-mails are always sent: they are how you would notice someone else using your login.
      </p>
      {message ? (
        <p className={message.ok ? "form-success" : "form__error"} role={message.ok ? "status" : "alert"} data-testid="preferences-message">
          {message.text}
        </p>
      ) : null}
      <button type="button" className="btn btn--primary" onClick={() => void submit()} disabled={fetching} data-testid="save-preferences">
        {fetching ? "Saving…" : "Save notification preferences"}
      </button>
    </section>
  );
}
