import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import { useAuth } from "./api/auth";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { ErrorBanner, Spinner } from "./components/Feedback";
import { isMultiSite, Layout } from "./components/Layout";
import { LiveCacheFeed } from "./components/LiveCacheFeed";
import { AccountPage } from "./pages/AccountPage";
import { DashboardPage } from "./pages/DashboardPage";
import { InstallmentsPage } from "./pages/InstallmentsPage";
import { InvoicesPage } from "./pages/InvoicesPage";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OverviewPage } from "./pages/OverviewPage";
import { PaymentMethodsPage } from "./pages/PaymentMethodsPage";
import { PaymentReturnPage } from "./pages/PaymentReturnPage";
import { ResetPasswordPage } from "./pages/ResetPasswordPage";
import { ConfirmEmailPage } from "./profile/ConfirmEmailPage";
import { SubServicePage } from "./pages/SubServicePage";
import { SupportNewPage } from "./pages/SupportNewPage";
import { SupportPage } from "./pages/SupportPage";
import { SupportTicketPage } from "./pages/SupportTicketPage";
import { TeamPage } from "./pages/TeamPage";
import { WalletPage } from "./pages/WalletPage";
import { useT } from "./i18n/I18nProvider";

export function App() {
  const { state, recheck } = useAuth();
  const location = useLocation();
  const t = useT();

  // The e-mailed reset (or invitation) link works signed in or not.
  if (location.pathname === "/reset-password") return <ResetPasswordPage />;
  if (location.pathname === "/confirm-email") return <ConfirmEmailPage />;
  if (state.status === "checking") {
    return (
      <div className="center-screen">
        <Spinner label={t("app.loading")} />
      </div>
    );
  }
  if (state.status === "error") {
    return (
      <div className="center-screen">
        <div className="center-screen__box">
          <ErrorBanner error={state.error} onRetry={recheck} />
        </div>
      </div>
    );
  }
  // Signed out: the login form is shown at whatever URL was asked for, so the deep link works after signing in.
  if (state.status === "anonymous") return <LoginPage notice={state.notice} />;

  return (
    <ErrorBoundary resetKey={location.pathname}>
      <LiveCacheFeed />
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<DashboardPage />} />
          <Route path="services/:id" element={<SubServicePage />} />
          <Route path="invoices" element={<InvoicesPage />} />
          <Route path="wallet" element={<WalletPage />} />
          <Route path="installments" element={<InstallmentsPage />} />
          <Route path="payment-methods" element={<PaymentMethodsPage />} />
          <Route path="payments/return" element={<PaymentReturnPage />} />
          <Route path="support" element={<SupportPage />} />
          <Route path="support/new" element={<SupportNewPage />} />
          <Route path="support/:number" element={<SupportTicketPage />} />
          <Route path="account" element={<AccountPage />} />
          <Route path="team" element={state.viewer.canManageTeam ? <TeamPage /> : <Navigate to="/" replace />} />
          <Route
            path="overview"
            element={isMultiSite(state.viewer.subscriber.kind) ? <OverviewPage /> : <Navigate to="/" replace />}
          />
          <Route path="login" element={<Navigate to="/" replace />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </ErrorBoundary>
  );
}
