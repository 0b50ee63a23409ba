/**
 * Account safety in a real browser (Debian's Chromium via playwright-core) against the real
 * server: a device is paired and removed, another session is open elsewhere → on the account
 * page two-factor sign-in is set up from the QR code (the test is the authenticator app, reading
 * the secret the page shows) → the recovery codes are shown once and the other session is
 * signed out → sign out → sign in with the password and an app code (a wrong code first) →
 * sign out → sign in with a recovery code → the security log on the account page lists it all
 * with addresses and browsers. Screenshots (desktop and phone, light and dark) go to
 * /tmp/shots/account (SHOTS_DIR overrides).
 */
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { deviceRoutes, createApiClient, authRoutes } from '@retrosync/api';
import { openBrowser, screenshots, type Browser, seeOn, reportFailures } from './browser.js';
import { ensureDashboardBuilt } from './build-dashboard.js';
import { pairDevice } from './device.js';
import { startServer, type RunningServer } from './server.js';

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots/account';
const USER = { name: 'Grace', email: `grace-${Date.now()}@example.com`, password: 'correct horse battery' };

let server: RunningServer;
let browser: Browser;
let page: Page;
let otherSession: string;
let secret: string;
let recoveryCodes: string[] = [];
/** Chromium logs every 4xx fetch as a console error: the ones this test provokes on purpose. */
const provoked: RegExp[] = [];

/** Full-page shots from the top (a scrolled page would show the sticky header mid-page). */
async function shots(name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshots(page, name, SHOTS);
}

/** The authenticator app: the code of the step `offsetSteps` from now. */
function appCode(offsetSteps = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

/** A 6-digit code that is none of the three the server accepts right now. */
function wrongCode(): string {
  const near = [appCode(-1), appCode(), appCode(1)];
  return ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c))!;
}

const see = seeOn(() => page);

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/dashboard'));
}

async function passwordStep(): Promise<void> {
  await page.goto('/auth/login?next=%2Fdashboard%2Faccount');
  await page.getByLabel('Email').fill(USER.email);
  await page.getByLabel('Password').fill(USER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await see('Two-factor sign-in');
}

beforeAll(async () => {
  await ensureDashboardBuilt();
  server = await startServer();
  // The account exists, a handheld was paired and removed, and the player is signed in elsewhere too.
  const api = createApiClient({ baseUrl: server.url });
  const registered = await api.call(authRoutes.register, { body: { email: USER.email, password: USER.password, name: USER.name } });
  const owner = createApiClient({ baseUrl: server.url, headers: { authorization: `Bearer ${registered.token}` } });
  const code = await owner.call(deviceRoutes.createPairingCode, {});
  const handheld = await pairDevice(server.url, code.code, 'Miyoo Mini+', 'miyoo_mini');
  await owner.call(deviceRoutes.remove, { query: { deviceId: handheld.id } });
  otherSession = (await api.call(authRoutes.login, { body: { email: USER.email, password: USER.password } }) as { token: string }).token;
  browser = await openBrowser(server.url);
  page = browser.page;
}, 180_000);

reportFailures('account e2e', () => browser);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const me = (token: string) => fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });

describe('account safety in Chromium', () => {
  it('signs in with the password alone while two-factor is off', async () => {
    await page.goto('/auth/login');
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/dashboard'));
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Account' }).click();
    await page.waitForURL('**/dashboard/account');
    await see('Set up two-factor sign-in');
    expect((await me(otherSession)).status).toBe(200);
    await shots('01-account-2fa-off');
  });

  it('sets up two-factor sign-in from the QR code and the secret shown as text', async () => {
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await shots('02-2fa-setup-qr');

    // A wrong code is refused with the server's message; the right one turns it on.
    const wrong = wrongCode();
    const card = page.getByTestId('two-factor');
    await card.getByLabel('Code from the app').fill(wrong);
    await card.getByLabel('Password', { exact: true }).fill(USER.password);
    provoked.push(/status of 401 \(Unauthorized\) \(http:\/\/127\.0\.0\.1:\d+\/api\/auth\/2fa\/enable\)/);
    await page.getByRole('button', { name: 'Turn on' }).click();
    await see(/code does not match/);
    await card.getByLabel('Code from the app').fill(appCode());
    await page.getByRole('button', { name: 'Turn on' }).click();
    const list = page.getByTestId('recovery-codes');
    await list.waitFor();
    recoveryCodes = (await list.locator('li code').allInnerTexts()).map((c) => c.trim());
    expect(recoveryCodes).toHaveLength(10);
    await see('Other browsers signed in to this account were signed out.');
    await shots('03-2fa-recovery-codes');
  });

  it('signed out the other session, kept this one', async () => {
    const other = await me(otherSession);
    expect(other.status).toBe(401);
    expect(((await other.json()) as { code: string }).code).toBe('token_expired');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await see(/10\s+of 10 recovery codes left/);
    await page.reload();
    await see(/10\s+of 10 recovery codes left/); // still signed in after a reload
    await shots('04-2fa-on');
  });

  it('signs out, then signs in with the password and a code from the app (a wrong code first)', async () => {
    await signOut();
    await passwordStep();
    await shots('05-signin-code-step');
    const wrong = wrongCode();
    await page.getByLabel('Authentication code').fill(wrong);
    provoked.push(/status of 401 \(Unauthorized\) \(http:\/\/127\.0\.0\.1:\d+\/api\/auth\/login\/2fa\)/);
    await page.getByRole('button', { name: 'Verify' }).click();
    await see(/two-factor code is wrong/);
    await shots('06-signin-wrong-code');
    // The enrolment spent this step's code: the phone's next code (accepted: ±1 step) signs in.
    await page.getByLabel('Authentication code').fill(appCode(1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/dashboard/account');
    await see('Security log');
  });

  it('signs out, then signs in with a recovery code, which then counts as used', async () => {
    await signOut();
    await passwordStep();
    await page.getByRole('button', { name: 'Lost your phone? Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]!);
    await shots('07-signin-recovery-code');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/dashboard/account');
    await see(/9\s+of 10 recovery codes left/);
  });

  it('shows the security log on the account page, newest first, with addresses and browsers', async () => {
    const rows = page.getByTestId('audit-row');
    await rows.first().waitFor();
    const events = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event')));
    expect(events).toEqual([
      'sign_in',
      'recovery_code_used',
      'sign_in',
      'sign_in_failed',
      'two_factor_enabled',
      'sign_in',
      'sign_in',
      'device_removed',
      'device_paired',
    ]);
    const first = await rows.first().innerText();
    expect(first).toContain('with a recovery code');
    expect(first).toContain('127.0.0.1');
    expect(first).toMatch(/Chrome on Linux/);
    await see('wrong two-factor code');
    await see('Miyoo Mini+');
    await shots('08-account-security-log');
  });

  it('logged no console errors besides the ones provoked on purpose', () => {
    const unexpected = [...browser.errors];
    for (const pattern of provoked) {
      const index = unexpected.findIndex((line) => pattern.test(line));
      expect(index, `expected console line ${pattern}`).toBeGreaterThanOrEqual(0);
      unexpected.splice(index, 1);
    }
    expect(unexpected).toEqual([]);
  });
});
