import { useEffect, useRef, type ReactNode } from 'react';
import { Link, navigate, useLocation } from '../app/router';
import { useSession, useUser } from '../app/session';
import { useLiveState } from '../app/events';
import { Brand } from './Brand';

const NAV = [
  { to: '/dashboard', label: 'Overview' },
  { to: '/dashboard/devices', label: 'Devices' },
  { to: '/dashboard/saves', label: 'Saves' },
  { to: '/dashboard/activity', label: 'Activity' },
  { to: '/dashboard/webhooks', label: 'Webhooks' },
  { to: '/dashboard/account', label: 'Account' },
] as const;

function LiveIndicator() {
  const live = useLiveState();
  const label = live === 'open' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Offline — retrying soon';
  return (
    <span className="live-dot" data-state={live} role="status" aria-live="polite">
      {label}
    </span>
  );
}

export function DashboardLayout({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const { logout } = useSession();
  const user = useUser();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After navigating, move focus to the new page so keyboard and screen-reader users start there.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
  }, [pathname]);
  const signOut = async () => {
    await logout();
    navigate('/auth/login', { replace: true });
  };
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Brand to="/dashboard" />
          <nav className="nav" aria-label="Dashboard">
            {NAV.map((item) => (
              <Link key={item.to} to={item.to} aria-current={pathname === item.to ? 'page' : undefined}>
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="topbar-user">
            <LiveIndicator />
            <span className="muted small hide-phone" title={user.email}>
              {user.name ?? user.email}
            </span>
            <button type="button" className="btn btn-small" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1} ref={main}>
        {children}
      </main>
    </>
  );
}
