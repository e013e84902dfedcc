import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { useViewer } from "../api/auth";
import { describeError } from "../api/errors";
import { useLiveSubscription, useResync } from "../api/useLive";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { Skeleton } from "../components/Feedback";
import { OnlineDot } from "../components/StatusBadge";
import { formatDateTime } from "../format";
import type {
  DeviceTaskFieldsFragment,
  RebootDeviceErrorCode,
  SetWifiSettingsErrorCode,
  WifiBand,
  WifiRouterQuery as WifiRouterResult,
  WifiSecurity,
} from "../gql/graphql";
import { SERVER, userErrorText, type WordingOf } from "../userErrors";
import { t } from "../i18n";
import {
  DeviceTaskChangedSubscription,
  RebootDeviceMutation,
  SetWifiSettingsMutation,
  WifiRouterQuery,
} from "./operations";

type Task = DeviceTaskFieldsFragment;
type Node = NonNullable<WifiRouterResult["node"]>;
type Device = NonNullable<Extract<Node, { __typename: "SubService" }>["devices"]>[number];
type Network = NonNullable<Device["wifiNetworks"]>[number];

export const BAND_LABEL: Record<WifiBand, string> = { GHZ_2_4: "2.4 GHz", GHZ_5: "5 GHz", GHZ_6: "6 GHz" };
/** The protection in words; only "open" needs translating, the WPA names read the same everywhere. */
export function securityLabel(security: WifiSecurity): string {
  return security === "OPEN" ? t("wifi.open") : (SECURITY_LABEL[security] ?? security);
}

export const SECURITY_LABEL: Record<WifiSecurity, string> = {
  OPEN: "OPEN",
  WPA2_PERSONAL: "WPA2",
  WPA3_PERSONAL: "WPA3",
  WPA2_WPA3_PERSONAL: "WPA2/WPA3",
};

export const SET_WIFI_SETTINGS: WordingOf<SetWifiSettingsErrorCode> = {
  NOT_FOUND: "userError.routerGone",
  NO_WIFI: "userError.noWifi",
  NETWORK_NOT_FOUND: "userError.networkGone",
  NOTHING_TO_CHANGE: "userError.nothingToChange",
  SSID_INVALID: SERVER,
  PASSWORD_INVALID: SERVER,
  PASSWORD_REQUIRED: "userError.wifiPasswordRequired",
  PASSWORD_NOT_ALLOWED: "userError.wifiPasswordNotAllowed",
  SECURITY_UNSUPPORTED: "userError.securityUnsupported",
  REFUSED: SERVER,
};
export const REBOOT_DEVICE: WordingOf<RebootDeviceErrorCode> = {
  NOT_FOUND: "userError.deviceGone",
  NOT_MANAGEABLE: "userError.notManageable",
  REFUSED: SERVER,
};

/** What a task's status means to the subscriber. */
export function taskText(task: Task): string {
  const what = t(task.action === "REBOOT" ? "wifi.task.restart" : task.action === "CHANGE_WIFI" ? "wifi.task.wifi" : "wifi.task.change");
  if (task.status === "PENDING") return t("wifi.task.pending", { what });
  if (task.status === "DONE") return task.action === "REBOOT" ? t("wifi.task.restarted") : t("wifi.task.applied", { what });
  return t("wifi.task.failed", { what, reason: task.failure ?? t("wifi.task.couldNot") });
}

function TaskStatus({ task }: { task: Task }) {
  const tone = task.status === "FAILED" ? "form-error" : task.status === "DONE" ? "form-success" : "muted";
  return (
    <p className={`small ${tone}`} role="status" data-testid="task-status" data-status={task.status} data-action={task.action}>
      {taskText(task)} <span className="muted">({formatDateTime(task.updatedAt)})</span>
    </p>
  );
}

function WifiForm({ device, network, onSent }: { device: Device; network: Network; onSent: (task: Task) => void }) {
  const [, send] = useMutation(SetWifiSettingsMutation);
  const [ssid, setSsid] = useState(network.ssid);
  const [password, setPassword] = useState("");
  const [security, setSecurity] = useState<WifiSecurity>(network.security);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string | null; text: string } | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const result = await send({
      input: {
        deviceId: device.id,
        index: network.index,
        ssid: ssid !== network.ssid ? ssid : null,
        password: password !== "" ? password : null,
        security: security !== network.security ? security : null,
      },
    });
    setBusy(false);
    const payload = result.data?.setWifiSettings;
    if (result.error || !payload) {
      setError({ field: null, text: result.error ? describeError(result.error).detail : t("error.somethingWrong") });
      return;
    }
    if (payload.userErrors.length > 0) {
      setError({ field: payload.userErrors[0]?.field?.[1] ?? null, text: userErrorText(payload.userErrors, SET_WIFI_SETTINGS) });
      return;
    }
    setPassword("");
    if (payload.task) onSent(payload.task);
  }

  const fieldId = `${device.id}-${network.index}`;
  return (
    <form className="form" onSubmit={submit} data-testid="wifi-form" noValidate>
      <div className="field">
        <label htmlFor={`ssid-${fieldId}`}>{t("wifi.ssid")}</label>
        <input id={`ssid-${fieldId}`} value={ssid} onChange={(e) => setSsid(e.target.value)} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor={`password-${fieldId}`}>{t("reset.new")}</label>
        <input
          id={`password-${fieldId}`}
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          placeholder={t("wifi.keepPassword")}
          aria-describedby={`password-hint-${fieldId}`}
        />
        <span id={`password-hint-${fieldId}`} className="muted small">
          {t("wifi.passwordRules")}
        </span>
      </div>
      <div className="field">
        <label htmlFor={`security-${fieldId}`}>{t("wifi.protection")}</label>
        <select id={`security-${fieldId}`} value={security} onChange={(e) => setSecurity(e.target.value as WifiSecurity)}>
          {network.supportedSecurity.map((s) => (
            <option key={s} value={s}>
              {securityLabel(s)}
            </option>
          ))}
        </select>
      </div>
      {error ? (
        <p className="form-error" role="alert" data-testid="wifi-error" data-field={error.field ?? ""}>
          {error.text}
        </p>
      ) : null}
      <button type="submit" className="btn btn--primary btn--small" disabled={busy}>
        {busy ? t("forgot.sending") : t("wifi.save")}
      </button>
    </form>
  );
}

function RouterCard({ device, canManage, task, onTask }: { device: Device; canManage: boolean; task: Task | null; onTask: (t: Task) => void }) {
  const [editing, setEditing] = useState<number | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [rebooting, setRebooting] = useState(false);
  const [rebootError, setRebootError] = useState<string | null>(null);
  const [, reboot] = useMutation(RebootDeviceMutation);
  const networks = device.wifiNetworks ?? [];
  const hosts = device.connectedHosts ?? [];

  async function confirmReboot() {
    setRebooting(true);
    setRebootError(null);
    const result = await reboot({ input: { deviceId: device.id } });
    setRebooting(false);
    const payload = result.data?.rebootDevice;
    if (result.error || !payload) {
      setRebootError(result.error ? describeError(result.error).detail : t("error.somethingWrong"));
      return;
    }
    if (payload.userErrors.length > 0) {
      setRebootError(userErrorText(payload.userErrors, REBOOT_DEVICE));
      return;
    }
    setConfirming(false);
    if (payload.task) onTask(payload.task);
  }

  return (
    <div className="wifi-device" data-testid="wifi-device" data-device={device.id}>
      <div className="wifi-device__head">
        <span className="strong">{device.model}</span> <OnlineDot online={device.online} />
        {canManage ? (
          <button type="button" className="btn btn--secondary btn--small" onClick={() => setConfirming(true)} data-testid="reboot">
            {t("wifi.task.restart")}
          </button>
        ) : null}
      </div>
      {task ? <TaskStatus task={task} /> : null}
      {networks.length > 0 ? (
        <ul className="wifi-networks">
          {networks.map((n) => (
            <li key={n.index} data-testid="wifi-network" data-index={n.index}>
              <span className="strong" data-testid="wifi-ssid">
                {n.ssid}
              </span>{" "}
              <span className="muted small">
                {BAND_LABEL[n.band]} · {securityLabel(n.security)}
                {n.enabled ? "" : ` · ${t("wifi.off")}`}
              </span>
              {canManage ? (
                <button
                  type="button"
                  className="btn btn--ghost btn--small"
                  onClick={() => setEditing(editing === n.index ? null : n.index)}
                  aria-expanded={editing === n.index}
                >
                  {editing === n.index ? t("common.cancel") : t("wifi.task.change")}
                </button>
              ) : null}
              {editing === n.index ? (
                <WifiForm
                  device={device}
                  network={n}
                  onSent={(t) => {
                    setEditing(null);
                    onTask(t);
                  }}
                />
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {hosts.length > 0 ? (
        <div className="table-wrap">
          <table className="table table--stack" data-testid="connected-hosts">
            <caption className="muted small">{t("wifi.hosts")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("account.name")}</th>
                <th scope="col">{t("card.connection")}</th>
                <th scope="col">{t("account.col.address")}</th>
                <th scope="col">MAC</th>
              </tr>
            </thead>
            <tbody>
              {hosts.map((h) => {
                const network = networks.find((n) => n.index === h.wifiNetworkIndex);
                return (
                  <tr key={h.mac} data-active={h.active ? "true" : "false"}>
                    <td data-label={t("account.name")}>
                      {h.name ?? t("wifi.unnamed")} {h.active ? null : <span className="muted small">{t("wifi.notNow")}</span>}
                    </td>
                    <td data-label={t("card.connection")}>{h.connection === "WIFI" ? `Wi-Fi${network ? ` — ${network.ssid} (${BAND_LABEL[network.band]})` : ""}` : t("wifi.cable")}</td>
                    <td data-label={t("account.col.address")} className="mono">
                      {h.ipAddress ?? "—"}
                    </td>
                    <td data-label="MAC" className="mono">
                      {h.mac}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title={t("wifi.restartTitle", { model: device.model })}
        confirmText={t("wifi.task.restart")}
        busyText={t("wifi.restarting")}
        busy={rebooting}
        danger
        error={rebootError}
        onConfirm={confirmReboot}
        onCancel={() => setConfirming(false)}
        testId="reboot-dialog"
      >
        <p>{t("wifi.restartBody")}</p>
      </ConfirmDialog>
    </div>
  );
}

/** The sub-service page's "Wi-Fi & router" section: its manageable devices, their networks and hosts, and the
 * changes sent to them, followed live (`deviceTaskChanged`). Renders nothing for services without one. */
export function WifiRouterSection({ subServiceId }: { subServiceId: string }) {
  const [result, refetch] = useQuery({ query: WifiRouterQuery, variables: { id: subServiceId } });
  const { canManageDevices: canManage } = useViewer();
  // The latest task of each device this page has seen (sent from here, or told by the server).
  const [latest, setLatest] = useState<Record<string, Task>>({});
  const reload = () => refetch({ requestPolicy: "network-only" });
  useResync(reload);

  const node = result.data?.node;
  const devices = node && node.__typename === "SubService" ? (node.devices ?? []) : null;
  const manageable = (devices ?? []).filter((d) => d.manageable);
  const ids = new Set(manageable.map((d) => d.id));

  useLiveSubscription(DeviceTaskChangedSubscription, {}, ({ deviceTaskChanged: t }) => {
    const deviceId = t.device?.id;
    if (!deviceId || !ids.has(deviceId)) return;
    setLatest((prev) => ({ ...prev, [deviceId]: t }));
    if (t.status === "DONE" && t.action === "CHANGE_WIFI") reload(); // show the new name
  });

  if (devices === null) {
    if (result.fetching) return <Skeleton lines={3} />;
    return null; // the devices section above says when OSS is unavailable
  }
  if (manageable.length === 0) return null;

  return (
    <section className="card" aria-labelledby="wifi-title" data-testid="wifi-router">
      <h2 id="wifi-title" className="card__title">
        {t("wifi.title")}
      </h2>
      {manageable.map((d) => {
        const told = latest[d.id];
        const recent = d.recentTasks?.[0] ?? null;
        const task = told && (!recent || told.updatedAt >= recent.updatedAt || told.reference !== recent.reference) ? told : recent;
        return (
          <RouterCard
            key={d.id}
            device={d}
            canManage={canManage}
            task={task}
            onTask={(t) => setLatest((prev) => ({ ...prev, [d.id]: t }))}
          />
        );
      })}
    </section>
  );
}
