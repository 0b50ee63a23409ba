/** The dashboard's URL table, kept pure so it is unit-tested. */

export type RouteName =
  | 'landing'
  | 'login'
  | 'register'
  | 'overview'
  | 'devices'
  | 'device'
  | 'saves'
  | 'activity'
  | 'account'
  | 'webhooks'
  | 'not-found';

const TABLE: Record<string, RouteName> = {
  '/': 'landing',
  '/auth/login': 'login',
  '/auth/register': 'register',
  '/dashboard': 'overview',
  '/dashboard/devices': 'devices',
  '/dashboard/device': 'device',
  '/dashboard/saves': 'saves',
  '/dashboard/activity': 'activity',
  '/dashboard/account': 'account',
  '/dashboard/webhooks': 'webhooks',
};

export function matchRoute(pathname: string): RouteName {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return TABLE[path] ?? 'not-found';
}

export function isDashboardRoute(name: RouteName): boolean {
  return name === 'overview' || name === 'devices' || name === 'device' || name === 'saves' || name === 'activity' || name === 'account' || name === 'webhooks';
}

/** Where to go after signing in: only same-site dashboard paths, never an open redirect. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/dashboard') || next.startsWith('//')) return '/dashboard';
  return next;
}
