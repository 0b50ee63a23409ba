import { useEffect, type ReactNode } from 'react';
import { DashboardLayout } from '../components/DashboardLayout';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { ErrorNotice } from '../components/ErrorNotice';
import { LandingPage } from '../pages/landing/LandingPage';
import { LoginPage } from '../pages/auth/LoginPage';
import { RegisterPage } from '../pages/auth/RegisterPage';
import { NotFoundPage } from '../pages/landing/NotFoundPage';
import { OverviewPage } from '../pages/overview/OverviewPage';
import { DevicesPage } from '../pages/devices/DevicesPage';
import { DevicePage } from '../pages/devices/DevicePage';
import { SavesPage } from '../pages/saves/SavesPage';
import { ActivityPage } from '../pages/activity/ActivityPage';
import { AccountPage } from '../pages/account/AccountPage';
import { WebhooksPage } from '../pages/webhooks/WebhooksPage';
import { EventsProvider } from './events';
import { navigate, useLocation } from './router';
import { isDashboardRoute, matchRoute, safeNext, type RouteName } from './routes';
import { SessionProvider, useSession } from './session';

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Loading() {
  return (
    <p className="page muted" role="status">
      Loading…
    </p>
  );
}

const DASHBOARD_PAGES: Partial<Record<RouteName, () => ReactNode>> = {
  overview: () => <OverviewPage />,
  devices: () => <DevicesPage />,
  device: () => <DevicePage />,
  saves: () => <SavesPage />,
  activity: () => <ActivityPage />,
  account: () => <AccountPage />,
  webhooks: () => <WebhooksPage />,
};

function Routes() {
  const { pathname, href, search } = useLocation();
  const { state } = useSession();
  const route = matchRoute(pathname);

  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error' && route !== 'landing') {
    return (
      <div className="page">
        <ErrorNotice error={state.error} />
      </div>
    );
  }
  const signedIn = state.status === 'signed-in';

  if (isDashboardRoute(route)) {
    if (!signedIn) return <Redirect to={`/auth/login?next=${encodeURIComponent(href)}`} />;
    const page = DASHBOARD_PAGES[route];
    return (
      <EventsProvider>
        <DashboardLayout>{page ? page() : <NotFoundPage />}</DashboardLayout>
      </EventsProvider>
    );
  }
  switch (route) {
    case 'landing':
      return <LandingPage signedIn={signedIn} />;
    case 'login':
      return signedIn ? <Redirect to={safeNext(search.get('next'))} /> : <LoginPage />;
    case 'register':
      return signedIn ? <Redirect to="/dashboard/devices" /> : <RegisterPage />;
    default:
      return <NotFoundPage />;
  }
}

export function App() {
  return (
    <ErrorBoundary>
      <SessionProvider>
        <Routes />
      </SessionProvider>
    </ErrorBoundary>
  );
}
