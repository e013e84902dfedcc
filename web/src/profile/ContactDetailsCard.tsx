import { useEffect, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { describeError } from "../api/errors";
import { graphql } from "../gql";
import { t, type MessageKey } from "../i18n";
import { rich } from "../i18n/rich";
import { userErrorText } from "../userErrors";
import { REQUEST_LOGIN_EMAIL_CHANGE, UPDATE_CONTACT_DETAILS, UPDATE_MY_CONTACT_DETAILS } from "./wording";

// "Contact details": the account's contact e-mail, phone and billing address (OWNER and MANAGER change them),
// and the viewer's own phone (everyone but VIEWER). The login e-mail is not a contact detail: it is shown, not
// edited, here.

const UpdateContactDetailsMutation = graphql(`
  mutation UpdateContactDetails($input: UpdateContactDetailsInput!) {
    updateContactDetails(input: $input) {
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
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const UpdateMyContactDetailsMutation = graphql(`
  mutation UpdateMyContactDetails($phone: String) {
    updateMyContactDetails(input: { phone: $phone }) {
      profile {
        phone
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const RequestLoginEmailChangeMutation = graphql(`
  mutation RequestLoginEmailChange($input: RequestLoginEmailChangeInput!) {
    requestLoginEmailChange(input: $input) {
      sentTo
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export interface AccountContact {
  email: string | null;
  phone: string | null;
  address: string | null;
  billingAddress: {
    lines: string[];
    city: string;
    region: string | null;
    postalCode: string;
    country: string;
  } | null;
}

type Message = { ok: boolean; text: string; field?: string } | null;

/** The input a userError's path points at: ["input", "billingAddress", "city"] → "city". */
function fieldOf(path: readonly string[] | null | undefined): string | undefined {
  return path && path.length ? path[path.length - 1] : undefined;
}

function Feedback({ message, testId }: { message: Message; testId: string }) {
  if (!message) return null;
  return (
    <p className={message.ok ? "form-success" : "form__error"} role={message.ok ? "status" : "alert"} data-testid={testId}>
      {message.text}
    </p>
  );
}

export function ContactDetailsCard({
  contact,
  loginEmail,
  myPhone,
  canEditAccount,
  canEditOwn,
  onSaved,
}: {
  contact: AccountContact | null;
  loginEmail: string;
  myPhone: string | null;
  canEditAccount: boolean;
  canEditOwn: boolean;
  onSaved: () => void;
}) {
  return (
    <section className="card" aria-labelledby="contact-title" data-testid="contact-details">
      <div className="card__head">
        <h2 id="contact-title" className="card__title">
          {t("contact.title")}
        </h2>
      </div>
      <p className="muted small">{rich("contact.intro", { email: <strong>{loginEmail}</strong> })}</p>
      <LoginEmailForm current={loginEmail} />
      <MyPhoneForm phone={myPhone} editable={canEditOwn} onSaved={onSaved} />
      {contact ? <AccountContactForm contact={contact} editable={canEditAccount} onSaved={onSaved} /> : null}
    </section>
  );
}

/** The login e-mail changes only with the current password and a link opened from the new address. */
function LoginEmailForm({ current }: { current: string }) {
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [message, setMessage] = useState<Message>(null);
  const [{ fetching }, request] = useMutation(RequestLoginEmailChangeMutation);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (fetching) return;
    const result = await request({ input: { currentPassword: password, newEmail: email } });
    const payload = result.data?.requestLoginEmailChange;
    if (payload?.userErrors.length) {
      setMessage({ ok: false, text: userErrorText(payload.userErrors, REQUEST_LOGIN_EMAIL_CHANGE), field: fieldOf(payload.userErrors[0]?.field) });
    } else if (!payload?.sentTo) {
      setMessage({ ok: false, text: result.error ? describeError(result.error).title : t("common.pleaseTryAgain") });
    } else {
      setPassword("");
      setMessage({ ok: true, text: t("contact.linkSent", { sentTo: payload.sentTo, current }) });
    }
  }

  if (!open) {
    return (
      <p>
        <button type="button" className="btn btn--secondary btn--small" onClick={() => setOpen(true)} data-testid="change-login-email">
          {t("contact.changeLogin")}
        </button>
      </p>
    );
  }
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="login-email-title">
      <h3 id="login-email-title" className="card__subtitle">
        {t("contact.changeLogin")}
      </h3>
      <div className="field">
        <label htmlFor="new-login-email">{t("contact.newLogin")}</label>
        <input
          id="new-login-email"
          type="email"
          autoComplete="email"
          maxLength={254}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={message?.field === "newEmail" ? true : undefined}
          data-testid="new-login-email"
        />
      </div>
      <div className="field">
        <label htmlFor="login-email-password">{t("account.currentPassword")}</label>
        <input
          id="login-email-password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={message?.field === "currentPassword" ? true : undefined}
          data-testid="login-email-password"
        />
      </div>
      <Feedback message={message} testId="login-email-message" />
      <button type="submit" className="btn btn--primary" disabled={fetching || !email || !password} data-testid="request-login-email">
        {fetching ? t("contact.sending") : t("contact.sendLink")}
      </button>
    </form>
  );
}

function MyPhoneForm({ phone, editable, onSaved }: { phone: string | null; editable: boolean; onSaved: () => void }) {
  const [value, setValue] = useState(phone ?? "");
  const [message, setMessage] = useState<Message>(null);
  const [{ fetching }, save] = useMutation(UpdateMyContactDetailsMutation);
  useEffect(() => setValue(phone ?? ""), [phone]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (fetching) return;
    const result = await save({ phone: value.trim() || null });
    const payload = result.data?.updateMyContactDetails;
    if (payload?.userErrors.length) {
      setMessage({ ok: false, text: userErrorText(payload.userErrors, UPDATE_MY_CONTACT_DETAILS), field: "phone" });
    } else if (!payload?.profile) {
      setMessage({ ok: false, text: result.error ? describeError(result.error).title : t("common.pleaseTryAgain") });
    } else {
      setValue(payload.profile.phone ?? "");
      setMessage({ ok: true, text: payload.profile.phone ? t("contact.phoneSaved", { phone: payload.profile.phone }) : t("contact.phoneRemoved") });
      onSaved();
    }
  }

  if (!editable) {
    return (
      <dl className="facts">
        <dt>{t("contact.myPhone")}</dt>
        <dd data-testid="my-phone">{phone ?? "—"}</dd>
      </dl>
    );
  }
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="my-phone-title">
      <h3 id="my-phone-title" className="card__subtitle">
        {t("contact.myPhone")}
      </h3>
      <div className="field">
        <label htmlFor="my-phone">{t("contact.myPhoneLabel")}</label>
        <input
          id="my-phone"
          type="tel"
          autoComplete="tel"
          maxLength={40}
          placeholder="+351 912 345 678"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={message?.field === "phone" ? true : undefined}
          aria-describedby={message ? "my-phone-message" : undefined}
          data-testid="my-phone-input"
        />
      </div>
      <div id="my-phone-message">
        <Feedback message={message} testId="my-phone-message" />
      </div>
      <button type="submit" className="btn btn--primary" disabled={fetching} data-testid="save-my-phone">
        {fetching ? t("common.saving") : t("contact.savePhone")}
      </button>
    </form>
  );
}

function AccountContactForm({ contact, editable, onSaved }: { contact: AccountContact; editable: boolean; onSaved: () => void }) {
  const given = contact.billingAddress;
  const [email, setEmail] = useState(contact.email ?? "");
  const [phone, setPhone] = useState(contact.phone ?? "");
  const [line1, setLine1] = useState(given?.lines[0] ?? "");
  const [line2, setLine2] = useState(given?.lines[1] ?? "");
  const [city, setCity] = useState(given?.city ?? "");
  const [region, setRegion] = useState(given?.region ?? "");
  const [postalCode, setPostalCode] = useState(given?.postalCode ?? "");
  const [country, setCountry] = useState(given?.country ?? "");
  const [message, setMessage] = useState<Message>(null);
  const [{ fetching }, save] = useMutation(UpdateContactDetailsMutation);

  if (!editable) {
    return (
      <dl className="facts" data-testid="account-contact">
        <dt>{t("contact.accountEmail")}</dt>
        <dd>{contact.email ?? "—"}</dd>
        <dt>{t("contact.accountPhone")}</dt>
        <dd>{contact.phone ?? "—"}</dd>
        <dt>{t("contact.billingAddress")}</dt>
        <dd>{contact.address ?? "—"}</dd>
      </dl>
    );
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (fetching) return;
    const addressGiven = [line1, line2, city, region, postalCode, country].some((v) => v.trim());
    const result = await save({
      input: {
        email: email.trim() !== (contact.email ?? "") ? email : null,
        phone: phone.trim() !== (contact.phone ?? "") ? phone : null,
        billingAddress: addressGiven
          ? { lines: [line1, line2].filter((l) => l.trim()), city, region: region || null, postalCode, country }
          : null,
      },
    });
    const payload = result.data?.updateContactDetails;
    if (payload?.userErrors.length) {
      setMessage({ ok: false, text: userErrorText(payload.userErrors, UPDATE_CONTACT_DETAILS), field: fieldOf(payload.userErrors[0]?.field) });
    } else if (!payload?.subscriber) {
      setMessage({ ok: false, text: result.error ? describeError(result.error).title : t("common.pleaseTryAgain") });
    } else {
      const saved = payload.subscriber;
      setEmail(saved.email ?? "");
      setPhone(saved.phone ?? "");
      setPostalCode(saved.billingAddress?.postalCode ?? postalCode);
      setCountry(saved.billingAddress?.country ?? country);
      setMessage({ ok: true, text: t("contact.saved") });
      onSaved();
    }
  }

  const invalid = (name: string) => (message?.field === name ? true : undefined);
  const input = (id: string, name: string, labelKey: MessageKey, value: string, set: (v: string) => void, extra: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={id}>{t(labelKey)}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => set(e.target.value)}
        aria-invalid={invalid(name)}
        aria-describedby={message ? "account-contact-message" : undefined}
        data-testid={id}
        {...extra}
      />
    </div>
  );

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="account-contact-title" data-testid="account-contact">
      <h3 id="account-contact-title" className="card__subtitle">
        {t("contact.accountTitle")}
      </h3>
      {input("account-email", "email", "contact.accountEmailLabel", email, setEmail, { type: "email", autoComplete: "email", maxLength: 254 })}
      {input("account-phone", "phone", "contact.accountPhoneLabel", phone, setPhone, { type: "tel", maxLength: 40 })}
      <fieldset className="field-group">
        <legend>{t("contact.billingAddress")}</legend>
        {input("address-line1", "lines", "contact.street", line1, setLine1, { autoComplete: "address-line1", maxLength: 100 })}
        {input("address-line2", "lines", "contact.line2", line2, setLine2, { autoComplete: "address-line2", maxLength: 100 })}
        {input("address-city", "city", "contact.city", city, setCity, { autoComplete: "address-level2", maxLength: 80 })}
        {input("address-region", "region", "contact.region", region, setRegion, { autoComplete: "address-level1", maxLength: 80 })}
        {input("address-postal-code", "postalCode", "contact.postalCode", postalCode, setPostalCode, { autoComplete: "postal-code", maxLength: 16 })}
        {input("address-country", "country", "contact.country", country, setCountry, { autoComplete: "country", maxLength: 2 })}
      </fieldset>
      {!given && contact.address ? <p className="muted small">{t("contact.onFile", { address: contact.address })}</p> : null}
      <div id="account-contact-message">
        <Feedback message={message} testId="account-contact-message" />
      </div>
      <button type="submit" className="btn btn--primary" disabled={fetching} data-testid="save-account-contact">
        {fetching ? t("common.saving") : t("contact.save")}
      </button>
    </form>
  );
}
