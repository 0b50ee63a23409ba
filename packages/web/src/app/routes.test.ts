import { describe, expect, it } from 'vitest';
import { isDashboardRoute, matchRoute, safeNext } from './routes';

describe('matchRoute', () => {
  it.each([
    ['/', 'landing'],
    ['/auth/login', 'login'],
    ['/auth/register/', 'register'],
    ['/dashboard', 'overview'],
    ['/dashboard/', 'overview'],
    ['/dashboard/devices', 'devices'],
    ['/dashboard/saves', 'saves'],
    ['/dashboard/activity', 'activity'],
    ['/dashboard/account', 'account'],
    ['/dashboard/nope', 'not-found'],
    ['/auth', 'not-found'],
  ] as const)('%s → %s', (path, name) => {
    expect(matchRoute(path)).toBe(name);
  });

  it('marks only dashboard pages as needing a session', () => {
    expect(isDashboardRoute('devices')).toBe(true);
    expect(isDashboardRoute('login')).toBe(false);
    expect(isDashboardRoute('not-found')).toBe(false);
  });
});

describe('safeNext', () => {
  it.each([
    [null, '/dashboard'],
    ['/dashboard/saves?key=gba', '/dashboard/saves?key=gba'],
    ['https://evil.example/dashboard', '/dashboard'],
    ['//evil.example/dashboard', '/dashboard'],
    ['/auth/login', '/dashboard'],
  ])('%s → %s', (next, target) => {
    expect(safeNext(next)).toBe(target);
  });
});
