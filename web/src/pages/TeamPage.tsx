import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { useViewer } from "../api/auth";
import { describeError } from "../api/errors";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorBanner, Skeleton } from "../components/Feedback";
import { PageHeader } from "../components/Layout";
import { formatDateTime } from "../format";
import { graphql } from "../gql";
import { t } from "../i18n";
import type { Role } from "../gql/graphql";
import { label, ROLE_LABEL } from "../labels";
import {
  CHANGE_TEAM_MEMBER,
  DISABLE_TEAM_MEMBER,
  INVITE_TEAM_MEMBER,
  REMOVE_TEAM_MEMBER,
  userErrorText,
} from "../userErrors";

// The people who use this account's portal, for its owner (and a manager, for everyone but owners). Sites to
// choose from: the first 100 sub-services (a SITE user with more is better made a MANAGER).

const TeamQuery = graphql(`
  query Team {
    viewer {
      team {
        id
        email
        name
        role
        siteIds
        disabled
        twoFactorEnabled
        lastSignedInAt
      }
      subscriber {
        id
        subServices(first: 100) {
          nodes {
            id
            label
          }
        }
      }
    }
  }
`);

const InviteMutation = graphql(`
  mutation InviteTeamMember($input: InviteTeamMemberInput!) {
    inviteTeamMember(input: $input) {
      member {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const ChangeMutation = graphql(`
  mutation ChangeTeamMember($input: ChangeTeamMemberInput!) {
    changeTeamMember(input: $input) {
      member {
        id
        role
        siteIds
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const DisableMutation = graphql(`
  mutation DisableTeamMember($input: DisableTeamMemberInput!) {
    disableTeamMember(input: $input) {
      member {
        id
        disabled
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const RemoveMutation = graphql(`
  mutation RemoveTeamMember($input: RemoveTeamMemberInput!) {
    removeTeamMember(input: $input) {
      removedMemberId
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const ROLES: Role[] = ["OWNER", "MANAGER", "FINANCE", "VIEWER", "SITE"];

interface Site {
  id: string;
  label: string;
}

function RolePicker({
  value,
  onChange,
  sites,
  siteIds,
  onSites,
  canGiveOwner,
  idPrefix,
}: {
  value: Role;
  onChange: (role: Role) => void;
  sites: Site[];
  siteIds: string[];
  onSites: (ids: string[]) => void;
  canGiveOwner: boolean;
  idPrefix: string;
}) {
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-role`}>{t("account.role")}</label>
        <select id={`${idPrefix}-role`} value={value} onChange={(e) => onChange(e.target.value as Role)} data-testid={`${idPrefix}-role`}>
          {ROLES.filter((r) => canGiveOwner || r !== "OWNER").map((r) => (
            <option key={r} value={r}>
              {label(ROLE_LABEL, r)}
            </option>
          ))}
        </select>
      </div>
      {value === "SITE" ? (
        <fieldset className="field">
          <legend>{t("team.sites")}</legend>
          {sites.map((site) => (
            <label key={site.id} className="field--inline">
              <input
                type="checkbox"
                checked={siteIds.includes(site.id)}
                onChange={(e) => onSites(e.target.checked ? [...siteIds, site.id] : siteIds.filter((s) => s !== site.id))}
              />{" "}
              {site.label}
            </label>
          ))}
        </fieldset>
      ) : null}
    </>
  );
}

export function TeamPage() {
  const viewer = useViewer();
  const [{ data, error, fetching }, refetch] = useQuery({ query: TeamQuery, requestPolicy: "cache-and-network" });
  const reload = () => refetch({ requestPolicy: "network-only" });
  const team = data?.viewer?.team ?? null;
  const sites: Site[] = data?.viewer?.subscriber?.subServices?.nodes ?? [];
  const isOwner = viewer.role === "OWNER";
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [removing, setRemoving] = useState<{ id: string; name: string } | null>(null);
  const [, change] = useMutation(ChangeMutation);
  const [, disable] = useMutation(DisableMutation);
  const [remove, removeMember] = useMutation(RemoveMutation);

  async function saveRole(id: string, role: Role, siteIds: string[]) {
    const result = await change({ input: { memberId: id, role, siteIds } });
    const payload = result.data?.changeTeamMember;
    if (payload?.userErrors.length) setMessage({ ok: false, text: userErrorText(payload.userErrors, CHANGE_TEAM_MEMBER) });
    else if (result.error) setMessage({ ok: false, text: describeError(result.error).title });
    else setMessage({ ok: true, text: t("team.saved") });
    reload();
  }

  async function setDisabled(id: string, disabled: boolean) {
    const result = await disable({ input: { memberId: id, disabled } });
    const payload = result.data?.disableTeamMember;
    if (payload?.userErrors.length) setMessage({ ok: false, text: userErrorText(payload.userErrors, DISABLE_TEAM_MEMBER) });
    else if (result.error) setMessage({ ok: false, text: describeError(result.error).title });
    else setMessage({ ok: true, text: disabled ? t("team.disabledDone") : t("team.enabledDone") });
    reload();
  }

  async function confirmRemove() {
    if (!removing) return;
    const result = await removeMember({ input: { memberId: removing.id } });
    const payload = result.data?.removeTeamMember;
    if (payload?.userErrors.length) setMessage({ ok: false, text: userErrorText(payload.userErrors, REMOVE_TEAM_MEMBER) });
    else if (result.error) setMessage({ ok: false, text: describeError(result.error).title });
    else setMessage({ ok: true, text: t("team.removedDone", { name: removing.name }) });
    setRemoving(null);
    reload();
  }

  return (
    <>
      <PageHeader title={t("nav.team")} subtitle={t("team.subtitle")} />
      {error && !team ? <ErrorBanner error={error} onRetry={reload} /> : null}
      {message ? (
        <p className={message.ok ? "banner banner--success" : "banner banner--error"} role={message.ok ? "status" : "alert"} data-testid="team-message">
          {message.text}
        </p>
      ) : null}
      <InviteCard sites={sites} canGiveOwner={isOwner} onInvited={(text) => { setMessage({ ok: true, text }); reload(); }} />
      <section className="card" aria-labelledby="team-title">
        <div className="card__head">
          <h2 id="team-title" className="card__title">
            {t("team.people")}
          </h2>
        </div>
        {!team && fetching ? <Skeleton /> : null}
        <ul className="plain-list">
          {(team ?? []).map((member) => (
            <MemberRow
              key={member.id}
              member={member}
              self={member.id === viewer.user.id}
              locked={member.role === "OWNER" && !isOwner}
              canGiveOwner={isOwner}
              sites={sites}
              onSave={(role, siteIds) => void saveRole(member.id, role, siteIds)}
              onDisable={(disabled) => void setDisabled(member.id, disabled)}
              onRemove={() => setRemoving({ id: member.id, name: member.name })}
            />
          ))}
        </ul>
      </section>
      <ConfirmDialog
        open={removing !== null}
        title={t("team.removeTitle", { name: removing?.name ?? "" })}
        confirmText={t("team.remove")}
        danger
        busy={remove.fetching}
        onCancel={() => setRemoving(null)}
        onConfirm={() => void confirmRemove()}
        testId="remove-dialog"
      >
        {t("team.removeBody")}
      </ConfirmDialog>
    </>
  );
}

interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  siteIds: string[];
  disabled: boolean;
  twoFactorEnabled: boolean | null;
  lastSignedInAt: string | null;
}

function MemberRow({
  member,
  self,
  locked,
  canGiveOwner,
  sites,
  onSave,
  onDisable,
  onRemove,
}: {
  member: Member;
  self: boolean;
  locked: boolean;
  canGiveOwner: boolean;
  sites: Site[];
  onSave: (role: Role, siteIds: string[]) => void;
  onDisable: (disabled: boolean) => void;
  onRemove: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [role, setRole] = useState<Role>(member.role);
  const [siteIds, setSiteIds] = useState<string[]>(member.siteIds);
  const readOnly = self || locked;
  return (
    <li className="plain-list__row" data-testid="team-member">
      <div>
        <strong>{member.name}</strong> <span className="muted">{member.email}</span>{" "}
        <span className="badge badge--neutral" data-testid="team-member-role">
          {label(ROLE_LABEL, member.role)}
        </span>{" "}
        {member.disabled ? <span className="badge badge--suspended">{t("team.disabled")}</span> : null}
        {member.twoFactorEnabled ? <span className="badge badge--active">{t("team.twoStep")}</span> : null}
        <div className="muted small">
          {member.lastSignedInAt ? t("team.lastSignedIn", { date: formatDateTime(member.lastSignedInAt) }) : t("team.neverSignedIn")}
          {member.role === "SITE"
            ? ` · ${member.siteIds.map((id) => sites.find((s) => s.id === id)?.label ?? t("team.aSite")).join(", ")}`
            : ""}
        </div>
        {editing ? (
          <form
            className="form"
            onSubmit={(e: FormEvent<HTMLFormElement>) => {
              e.preventDefault();
              setEditing(false);
              onSave(role, siteIds);
            }}
          >
            <RolePicker
              value={role}
              onChange={setRole}
              sites={sites}
              siteIds={siteIds}
              onSites={setSiteIds}
              canGiveOwner={canGiveOwner}
              idPrefix={`member-${member.id}`}
            />
            <button type="submit" className="btn btn--primary btn--small" data-testid="team-member-save">
              {t("team.save")}
            </button>
          </form>
        ) : null}
      </div>
      {readOnly ? (
        <div className="plain-list__end muted small">{self ? t("team.you") : t("role.OWNER")}</div>
      ) : (
        <div className="plain-list__end">
          <button type="button" className="btn btn--ghost btn--small" onClick={() => setEditing(!editing)} data-testid="team-member-edit">
            {editing ? t("common.cancel") : t("team.changeRole")}
          </button>
          <button type="button" className="btn btn--ghost btn--small" onClick={() => onDisable(!member.disabled)} data-testid="team-member-disable">
            {member.disabled ? t("team.enable") : t("team.disable")}
          </button>
          <button type="button" className="btn btn--ghost btn--small" onClick={onRemove} data-testid="team-member-remove">
            {t("team.remove")}
          </button>
        </div>
      )}
    </li>
  );
}

function InviteCard({ sites, canGiveOwner, onInvited }: { sites: Site[]; canGiveOwner: boolean; onInvited: (text: string) => void }) {
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("VIEWER");
  const [siteIds, setSiteIds] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, invite] = useMutation(InviteMutation);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (fetching) return;
    const result = await invite({ input: { email: email.trim(), name: name.trim() || null, role, siteIds: role === "SITE" ? siteIds : [] } });
    const payload = result.data?.inviteTeamMember;
    if (payload?.userErrors.length) setError(userErrorText(payload.userErrors, INVITE_TEAM_MEMBER));
    else if (!payload?.member) setError(result.error ? describeError(result.error).title : t("common.pleaseTryAgain"));
    else {
      setError(null);
      onInvited(t("team.invited", { email: email.trim() }));
      setEmail("");
      setName("");
      setSiteIds([]);
    }
  }

  return (
    <section className="card" aria-labelledby="invite-title">
      <div className="card__head">
        <h2 id="invite-title" className="card__title">
          {t("team.invite")}
        </h2>
      </div>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="invite-email">{t("login.email")}</label>
          <input id="invite-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="invite-email" />
        </div>
        <div className="field">
          <label htmlFor="invite-name">{t("team.nameOptional")}</label>
          <input id="invite-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="invite-name" />
        </div>
        <RolePicker
          value={role}
          onChange={setRole}
          sites={sites}
          siteIds={siteIds}
          onSites={setSiteIds}
          canGiveOwner={canGiveOwner}
          idPrefix="invite"
        />
        {error ? (
          <p className="form__error" role="alert" data-testid="invite-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="btn btn--primary" disabled={fetching || !email.trim()} data-testid="invite-submit">
          {fetching ? t("forgot.sending") : t("team.sendInvitation")}
        </button>
      </form>
    </section>
  );
}
