/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core) against the real
 * server: register → add device → code and QR → a device pairs through the API → it shows
 * online without a reload → it uploads saves → history visible → restore an older version and
 * keep a conflict copy → the activity page shows the events. No console errors anywhere.
 * Screenshots of every page (desktop and phone, light and dark) go to artifacts/screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, screenshots, type Browser, seeOn, reportFailures } from './browser.js';
import { ensureDashboardBuilt } from './build-dashboard.js';
import { pairDevice, requestShownCode, type SimDevice } from './device.js';
import { startServer, type RunningServer } from './server.js';

const KEY = 'gba/Pokémon Emerald/battery';
const USER = { name: 'Ada', email: `ada-${Date.now()}@example.com`, password: 'correct horse battery' };
const NEW_PASSWORD = 'another horse battery';
const T0 = Date.parse('2026-11-20T10:00:00Z');

let server: RunningServer;
let browser: Browser;
let page: Page;
let handheld: SimDevice;
/**
 * Chromium logs every 4xx fetch as a console error. The test provokes exactly one on purpose
 * (a too-short password, to show the API's message); it is listed here and must appear once.
 * Anything else in the console fails the test.
 */
const provoked: RegExp[] = [];

/** Waits until `text` is visible somewhere on the page (no reload). */
const see = seeOn(() => page);

async function go(label: string, path: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: label }).click();
  await page.waitForURL((url) => url.pathname === path);
}

beforeAll(async () => {
  await ensureDashboardBuilt();
  server = await startServer();
  browser = await openBrowser(server.url);
  page = browser.page;
}, 180_000);

reportFailures('dashboard e2e', () => browser);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('dashboard in Chromium', () => {
  it('serves the landing page with a strict CSP', async () => {
    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await see('Your retro saves, on every device.');
    await screenshots(page, '01-landing');
  });

  it('registers and lands on an empty devices page', async () => {
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL('**/auth/register');
    await page.getByLabel('Name').fill(USER.name);
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill('short');
    provoked.push(/status of 400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/api\/auth\/register\)/);
    await page.getByRole('button', { name: 'Create account' }).click();
    // The API's own validation message, next to the field.
    await see(/at least 8 characters/);
    await screenshots(page, '02-register');
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/dashboard/devices');
    await see('No devices yet — add one');
    const cookies = await browser.context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'retrosync_token');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toMatch(/Lax|Strict/);
  });

  it('shows a pairing code with its QR code and a live countdown', async () => {
    await page.getByRole('button', { name: 'Add device' }).click();
    const code = page.getByTestId('pairing-code');
    await code.waitFor();
    expect((await code.innerText()).replace(/\s/g, '')).toMatch(/^[0-9]{6}$/);
    const qr = page.getByRole('img', { name: /QR code for pairing code/ });
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const timer = page.getByRole('timer');
    const first = await timer.innerText();
    expect(first).toMatch(/Expires in 1[45]:[0-5][0-9]/);
    await page.waitForFunction((before) => document.querySelector('[role="timer"]')?.textContent !== before, first, { timeout: 5_000 });
    await screenshots(page, '03-add-device');
  });

  it('sees a device pair through the API and come online without a reload', async () => {
    const marker = await page.evaluate(() => {
      (window as unknown as { __noReload: boolean }).__noReload = true;
      return true;
    });
    expect(marker).toBe(true);
    const code = (await page.getByTestId('pairing-code').innerText()).replace(/\s/g, '');
    handheld = await pairDevice(server.url, code, 'RG35XX Plus', 'rg35xx');
    await see('RG35XX Plus is paired', 15_000);
    await page.getByRole('button', { name: 'Close' }).click();
    // The device's first heartbeat shows it online without a reload: a pushed `device` event
    // (the page's own safety-net re-read is every 60 s, far beyond this wait).
    await handheld.heartbeat();
    await page.locator('[data-testid="device-row"][data-online="true"]').getByText('RG35XX Plus', { exact: true }).waitFor({ timeout: 12_000 });
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await screenshots(page, '04-devices');
  });

  it('links a device that shows its own code, typed into the dashboard', async () => {
    const mini = await requestShownCode(server.url, 'Miyoo Mini', 'miyoo_mini');
    expect(await mini.collect()).toBeNull();
    const field = page.getByLabel('Enter the code shown on your device');
    await field.fill('12');
    expect(await page.getByRole('button', { name: 'Link device' }).isDisabled()).toBe(true);
    await field.fill(`${mini.code.slice(0, 3)} ${mini.code.slice(3)}`);
    await page.getByRole('button', { name: 'Link device' }).click();
    await see('Miyoo Mini is linked');
    // The device picks up its key on its next poll; then it is in the list (no reload).
    const linked = await mini.collect();
    expect(linked?.name).toBe('Miyoo Mini');
    await linked?.heartbeat();
    await page.getByTestId('device-row').filter({ hasText: 'Miyoo Mini' }).waitFor({ timeout: 12_000 });
  });

  it('shows the uploaded save and its history, restores an older version and keeps a conflict copy', async () => {
    await go('Saves', '/dashboard/saves');
    await see('No saves yet');
    const v1 = await handheld.upload(KEY, new TextEncoder().encode('emerald: badge 1'), { mtime: T0 });
    expect(v1).toEqual({ outcome: 'accepted', version: 1 });
    await page.getByTestId('save-item').filter({ hasText: 'Pokémon Emerald' }).waitFor({ timeout: 10_000 });
    const v2 = await handheld.upload(KEY, new TextEncoder().encode('emerald: badge 2'), { base: 1, mtime: T0 + 3_600_000 });
    expect(v2).toEqual({ outcome: 'accepted', version: 2 });
    await page.getByTestId('save-item').filter({ hasText: 'v2' }).waitFor({ timeout: 10_000 });
    await page.getByTestId('save-item').filter({ hasText: 'Pokémon Emerald' }).click();
    await page.waitForURL((url) => url.searchParams.get('key') === KEY);
    await page.locator('[data-testid="version-row"][data-version="1"]').waitFor();
    await see('current');

    await page.getByRole('button', { name: 'Restore (version 1)' }).click();
    await see('Restored version 1 as v3');
    await page.locator('[data-testid="version-row"][data-version="3"][data-head="true"]').waitFor();
    const download = page.getByRole('link', { name: 'Download version 3' });
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(file.suggestedFilename()).toBe('Pokémon Emerald (v3).sav');
    const stream = await file.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('emerald: badge 1');

    // A second device played offline from v1: its copy loses on time but is kept.
    await page.getByRole('link', { name: 'Devices' }).first().click();
    await page.getByRole('button', { name: 'Add device' }).click();
    const code = (await page.getByTestId('pairing-code').innerText()).replace(/\s/g, '');
    const flip = await pairDevice(server.url, code, 'Miyoo Flip', 'miyoo_flip');
    await see('Miyoo Flip is paired', 15_000);
    const lost = await flip.upload(KEY, new TextEncoder().encode('emerald: offline run'), { base: 1, mtime: T0 + 60_000 });
    expect(lost.outcome).toBe('conflict_lost');
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get('key') === KEY);
    const keep = page.getByRole('button', { name: `Keep this one (version ${lost.version})` });
    await keep.waitFor({ timeout: 10_000 });
    await screenshots(page, '05-saves');
    await see('Two devices changed this save while apart');
    await keep.click();
    await see(`Kept version ${lost.version}`);
    await page.getByText('Two devices changed this save while apart').waitFor({ state: 'detached' });
  });

  it('shows the events on the activity page, live and filterable', async () => {
    await go('Activity', '/dashboard/activity');
    const rows = page.getByTestId('log-row');
    await rows.filter({ hasText: 'RG35XX Plus' }).filter({ hasText: 'upload' }).first().waitFor({ timeout: 10_000 });
    await rows.filter({ hasText: 'Miyoo Flip' }).filter({ hasText: 'conflict' }).first().waitFor();
    expect(await rows.filter({ hasText: 'upload' }).count()).toBe(2);

    await page.getByLabel('Action').selectOption('conflict');
    await page.waitForFunction(() => {
      const found = Array.from(document.querySelectorAll('[data-testid="log-row"]'));
      return found.length > 0 && found.every((row) => row.textContent?.includes('conflict'));
    });
    await page.getByLabel('Action').selectOption('');
    await page.getByLabel('Device').selectOption({ label: 'RG35XX Plus' });
    await page.waitForFunction(() => {
      const found = Array.from(document.querySelectorAll('[data-testid="log-row"]'));
      return found.length === 2 && found.every((row) => row.textContent?.includes('RG35XX Plus'));
    });
    await page.getByLabel('Device').selectOption('');

    // A new log entry arrives over SSE while the page is open.
    const before = await rows.count();
    await handheld.log('download', KEY, 16);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="log-row"]').length > n, before, { timeout: 12_000 });
    await rows.filter({ hasText: 'download' }).first().waitFor();
    await screenshots(page, '06-activity');
  });

  it('deletes an old version and a whole save after confirming; shows a deleted save and restores it', async () => {
    const key = 'gba/Advance Wars/battery';
    const bytes = (text: string) => new TextEncoder().encode(text);
    await go('Saves', '/dashboard/saves');
    expect(await handheld.upload(key, bytes('wars: mission 1'), { mtime: T0 })).toEqual({ outcome: 'accepted', version: 1 });
    expect(await handheld.upload(key, bytes('wars: mission 2'), { base: 1, mtime: T0 + 60_000 })).toEqual({ outcome: 'accepted', version: 2 });
    const item = page.getByTestId('save-item').filter({ hasText: 'Advance Wars' });
    await item.filter({ hasText: 'v2' }).waitFor({ timeout: 10_000 });
    await item.click();
    const row = (v: number) => page.locator(`[data-testid="version-row"][data-version="${v}"]`);
    await row(1).waitFor();

    // One old version, after a confirmation that can be cancelled.
    await page.getByRole('button', { name: 'Delete (version 1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete version 1 for good?' });
    await dialog.waitFor();
    await screenshots(page, '11-delete-version');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await row(1).count()).toBe(1);
    await page.getByRole('button', { name: 'Delete (version 1)' }).click();
    await dialog.getByRole('button', { name: 'Delete version' }).click();
    await see(/Deleted version 1\. Storage used now/);
    await row(1).waitFor({ state: 'detached' });
    // The head has no delete button: it is kept unless the whole save goes.
    expect(await page.getByRole('button', { name: 'Delete (version 2)' }).count()).toBe(0);

    // A device deletes the save: it leaves the list, and comes back with "Show deleted saves" to be restored.
    expect(await handheld.remove(key, 2)).toEqual({ outcome: 'accepted', version: 3 });
    await item.waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByLabel('Show deleted saves (to restore one)').check();
    await item.filter({ hasText: 'deleted' }).click();
    await page.getByRole('button', { name: 'Restore (version 3)' }).click();
    await see('Restored the save as v4 (the version before the deletion)');
    await row(4).and(page.locator('[data-head="true"]')).waitFor();

    // The whole save, everywhere.
    await page.getByRole('button', { name: 'Delete this save' }).click();
    const whole = page.getByRole('dialog', { name: 'Delete Advance Wars everywhere?' });
    await whole.waitFor();
    await whole.getByRole('button', { name: 'Delete save' }).click();
    await see(/Deleted this save: 3 versions removed\. Storage used now/);
    await row(5).waitFor();
    expect(await page.getByRole('button', { name: 'Restore (version 5)' }).count()).toBe(0);
    await page.getByLabel('Show deleted saves (to restore one)').uncheck();
    await item.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('renames a device and removes one after confirming', async () => {
    await go('Devices', '/dashboard/devices');
    const mini = page.getByTestId('device-row').filter({ hasText: 'Miyoo Mini' });
    await mini.getByRole('button', { name: 'Rename Miyoo Mini' }).click();
    const name = page.getByLabel('New name for Miyoo Mini');
    await name.fill('Bedside Mini');
    await name.press('Enter');
    const renamed = page.getByTestId('device-row').filter({ hasText: 'Bedside Mini' });
    await renamed.waitFor();
    await renamed.getByRole('button', { name: 'Remove Bedside Mini' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Bedside Mini?' });
    await dialog.waitFor();
    await screenshots(page, '10-remove-device');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await renamed.count()).toBe(1);
    await renamed.getByRole('button', { name: 'Remove Bedside Mini' }).click();
    await dialog.getByRole('button', { name: 'Remove device' }).click();
    await renamed.waitFor({ state: 'detached' });
    expect(await page.getByTestId('device-row').count()).toBe(2);
  });

  it('pairs a RetroArch and shows what to type into its Cloud Sync settings; that password opens /dav/', async () => {
    await go('Devices', '/dashboard/devices');
    await page.getByRole('button', { name: 'Add RetroArch' }).click();
    const panel = page.getByRole('region', { name: /Add RetroArch/ });
    await panel.getByLabel('Name', { exact: true }).fill('RetroArch Deck');
    await panel.getByLabel('Runs on').selectOption('linux');
    await panel.getByRole('button', { name: 'Pair RetroArch' }).click();
    await page.getByTestId('retroarch-setup').waitFor();
    const url = (await page.getByTestId('retroarch-url').innerText()).trim();
    const username = (await page.getByTestId('retroarch-username').innerText()).trim();
    const password = (await page.getByTestId('retroarch-password').innerText()).trim();
    expect(url).toBe(`${server.url}/dav/`);
    expect(username).toBe('RetroArch-Deck');
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    expect(await page.getByTestId('retroarch-cfg').innerText()).toContain(`webdav_password = "${password}"`);
    await screenshots(page, '11-add-retroarch');
    // What RetroArch does first with those settings: OPTIONS, then the manifest, with Basic auth.
    const auth = { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
    expect((await fetch(url, { method: 'OPTIONS', headers: auth })).status).toBe(200);
    const manifest = await fetch(`${url}manifest.server`, { headers: auth });
    expect(manifest.status).toBe(200);
    expect(Array.isArray(await manifest.json())).toBe(true);
    await page.getByTestId('device-row').filter({ hasText: 'RetroArch Deck' }).waitFor({ timeout: 12_000 });
    await panel.getByRole('button', { name: 'Close' }).click();
  });

  it('shows the overview and the account page', async () => {
    await go('Overview', '/dashboard');
    await page.getByTestId('online-count').waitFor();
    // The conflict copy was answered with "Keep this one": nothing left to review.
    await page.waitForFunction(() => document.querySelector('[data-testid="open-conflicts"]')?.textContent?.trim() === '0');
    await see('Recent activity');
    // Storage against the plan (self-hosting default: unlimited), from GET /api/saves/usage.
    await page.waitForFunction(() => /\d+ B$/.test(document.querySelector('[data-testid="storage-used"]')?.textContent?.trim() ?? ''));
    await see('no limit · enterprise plan');
    await screenshots(page, '07-overview');
    await go('Account', '/dashboard/account');
    await see('Change password');
    await screenshots(page, '08-account');
  });

  it('changes the name and the password on the account page', async () => {
    await page.getByLabel('Display name').fill('Ada L.');
    await page.getByRole('button', { name: 'Save name' }).click();
    await see('Name saved.');
    await page.getByRole('banner').getByText('Ada L.').waitFor();

    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    provoked.push(/status of 401 \(Unauthorized\) \(http:\/\/127\.0\.0\.1:\d+\/api\/auth\/password\)/);
    await page.getByRole('button', { name: 'Change password' }).click();
    // The API's own message; the page stays signed in.
    await page.getByRole('alert').filter({ hasText: 'The current password is wrong.' }).waitFor();
    expect(page.url()).toMatch(/\/dashboard\/account$/);

    await page.getByLabel('Current password').fill(USER.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await see('Password changed.');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('signs out, and signs in again with the new password', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/auth/login');
    await screenshots(page, '09-login');
    await page.goto('/dashboard/saves');
    await page.waitForURL('**/auth/login?next=%2Fdashboard%2Fsaves');
    // Keyboard only: the labelled fields in tab order, Enter submits.
    await page.getByLabel('Email').focus();
    await page.keyboard.type(USER.email);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('password');
    await page.keyboard.type(NEW_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/dashboard/saves');
    await page.getByTestId('save-item').first().waitFor();
  });

  it('deletes the account after confirming with the password', async () => {
    await go('Account', '/dashboard/account');
    const remove = page.getByRole('button', { name: 'Delete my account' });
    expect(await remove.isDisabled()).toBe(true);
    await page.getByLabel('Type your password to confirm').fill(NEW_PASSWORD);
    await remove.click();
    await page.waitForURL((url) => url.pathname === '/');
    await see('Create an account');
    // The account and its devices are gone: the old device key no longer works.
    await expect(handheld.heartbeat()).rejects.toMatchObject({ status: 401 });
  });

  it('logged no console errors besides the one provoked on purpose', () => {
    const unexpected = [...browser.errors];
    for (const pattern of provoked) {
      const index = unexpected.findIndex((line) => pattern.test(line));
      expect(index, `expected console line ${pattern}`).toBeGreaterThanOrEqual(0);
      unexpected.splice(index, 1);
    }
    expect(unexpected).toEqual([]);
  });
});
