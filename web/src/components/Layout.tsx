import { useEffect, useState, type ComponentType, type ReactNode } from "react";
import { NavLink, Outlet, useLocation } from "react-router-dom";
import { useAuth, useViewer } from "../api/auth";
import { brand, pageTitle, telHref } from "../brand";
import type { SubscriberKind } from "../gql/graphql";
import { label, ROLE_LABEL, SUBSCRIBER_KIND_LABEL } from "../labels";
import {
  CardIcon,
  HomeIcon,
  InstallmentIcon,
  InvoiceIcon,
  OverviewIcon,
  ShieldIcon,
  SignOutIcon,
  SupportIcon,
  TeamIcon,
  WalletIcon,
} from "./Icons";
import { NotificationsBell } from "./NotificationsBell";
import { t as translate } from "../i18n";
import { useT } from "../i18n/I18nProvider";

interface NavItem {
  to: string;
  name: string;
  text: string;
  /** A shorter label for the phone bottom bar. */
  short?: string;
  icon: ComponentType<{ className?: string }>;
  end?: boolean;
  /** Left out of the phone's bottom bar (reached from the account page there). */
  secondary?: boolean;
}

/** Business and multi-unit accounts; unknown (null while the account service is down) counts as not. */
export function isMultiSite(kind: string | null | undefined): boolean {
  return kind === "ENTERPRISE" || kind === "MDU";
}

/** "Enterprise · Account WG-200101", or what of it is known (the account service may be down). */
export function accountLine(subscriber: { kind: SubscriberKind | null; accountNumber: string | null }): string {
  const kind = label(SUBSCRIBER_KIND_LABEL, subscriber.kind);
  const account = subscriber.accountNumber ? translate("layout.accountNumber", { number: subscriber.accountNumber }) : "";
  return [kind, account].filter(Boolean).join(" · ");
}

export function Layout() {
  const viewer = useViewer();
  const { logout } = useAuth();
  const [signingOut, setSigningOut] = useState(false);
  const location = useLocation();
  const t = useT();

  // Move focus to the page heading on navigation so screen readers announce the new page.
  useEffect(() => {
    document.getElementById("main")?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [location.pathname]);

  // Each item shows only to those the graph says may use it (`Viewer.can…`), never by a list of roles here.
  const items: NavItem[] = [
    { to: "/", name: "dashboard", text: t("nav.dashboard"), short: t("nav.dashboard.short"), icon: HomeIcon, end: true },
    { to: "/invoices", name: "invoices", text: t("nav.invoices"), short: t("nav.invoices.short"), icon: InvoiceIcon },
  ];
  if (viewer.canSeeWallet) items.push({ to: "/wallet", name: "wallet", text: t("nav.wallet"), icon: WalletIcon });
  items.push(
    { to: "/installments", name: "installments", text: t("nav.installments"), short: t("nav.installments.short"), icon: InstallmentIcon },
    { to: "/support", name: "support", text: t("nav.support"), icon: SupportIcon },
  );
  if (isMultiSite(viewer.subscriber.kind)) {
    items.push({ to: "/overview", name: "overview", text: t("nav.overview"), short: t("nav.overview.short"), icon: OverviewIcon });
  }
  if (viewer.canManageBilling) {
    items.push({ to: "/payment-methods", name: "payment-methods", text: t("nav.cards"), short: t("nav.cards.short"), icon: CardIcon });
  }
  if (viewer.canManageTeam) items.push({ to: "/team", name: "team", text: t("nav.team"), icon: TeamIcon, secondary: true });

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t("layout.skip")}
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <div className="brand">
            <BrandMark />
            <div className="brand__text">
              <span className="brand__subscriber" data-testid="subscriber-name">
                {viewer.subscriber.name ?? t("layout.yourAccount")}
              </span>
              <span className="brand__meta">{accountLine(viewer.subscriber)}</span>
            </div>
          </div>
          <div className="user">
            <NotificationsBell />
            <NavLink to="/account" className="btn btn--ghost btn--small topbar__account" aria-label={t("nav.account")} data-testid="account-link">
              <ShieldIcon />
            </NavLink>
            <div className="user__text">
              <span className="user__name">{viewer.user.name}</span>
              <span className="user__role">{label(ROLE_LABEL, viewer.role)}</span>
            </div>
            <button
              type="button"
              className="btn btn--ghost btn--small"
              data-testid="logout"
              disabled={signingOut}
              onClick={() => {
                setSigningOut(true);
                void logout();
              }}
            >
              <SignOutIcon />
              <span className="btn__label--wide">{signingOut ? t("layout.signingOut") : t("layout.signOut")}</span>
            </button>
          </div>
        </div>
        <nav className="nav" aria-label={t("layout.mainNav")}>
          <ul className="nav__list">
            {items.map((item) => (
              <li key={item.name} className={item.secondary ? "nav__item--secondary" : undefined}>
                <NavLink
                  to={item.to}
                  end={item.end}
                  className={({ isActive }) => `nav__link ${isActive ? "nav__link--active" : ""}`}
                  data-testid={`nav-${item.name}`}
                >
                  <item.icon className="nav__icon" />
                  {item.short ? (
                    <>
                      <span className="nav__text--long">{item.text}</span>
                      <span className="nav__text--short">{item.short}</span>
                    </>
                  ) : (
                    <span>{item.text}</span>
                  )}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="footer">
        <p>
          {t("layout.footer", { brand: brand.name })}
        </p>
        <SupportContacts />
      </footer>
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  useEffect(() => {
    document.title = pageTitle(title);
  }, [title]);
  return (
    <div className="page-head">
      <div>
        <h1 className="page-head__title">{title}</h1>
        {subtitle ? <p className="page-head__subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-head__actions">{actions}</div> : null}
    </div>
  );
}

/** The operator's logo (BRAND_LOGO_FILE), else the built-in mark in the brand's colour. */
export function BrandMark({ large = false }: { large?: boolean }) {
  const size = large ? " brand__mark--large" : "";
  if (brand.logoUrl) {
    return <img className={`brand__logo${size}`} src={brand.logoUrl} alt={brand.name} data-testid="brand-logo" />;
  }
  return (
    <svg className={`brand__mark${size}`} viewBox="0 0 32 32" role="img" aria-label={brand.name} focusable="false" data-testid="brand-logo">
      <rect width="32" height="32" rx="7" />
      <path d="M8 20a11 11 0 0 1 16 0M11 23.5a6.5 6.5 0 0 1 10 0" />
      <circle cx="16" cy="26" r="1.8" />
    </svg>
  );
}

/** "Questions? Write to … or call …" with the operator's contacts (nothing when none is configured). */
export function SupportContacts({ className = "" }: { className?: string }) {
  const { supportEmail, supportPhone } = brand;
  const t = useT();
  if (!supportEmail && !supportPhone) return null;
  return (
    <p className={`support-contacts ${className}`} data-testid="support-contacts">
      {t("contacts.questions")}{" "}
      {supportEmail ? <>{t("contacts.writeTo")} <a href={`mailto:${supportEmail}`}>{supportEmail}</a></> : null}
      {supportEmail && supportPhone ? ` ${t("contacts.or")} ` : null}
      {supportPhone ? <>{t(supportEmail ? "contacts.orCall" : "contacts.call")} <a href={telHref(supportPhone)}>{supportPhone}</a></> : null}.
    </p>
  );
}
