/**
 * Play lease and key rotation in the dashboard, in Chromium against the real server: a save a
 * handheld is playing shows "In use on RG35XX+ since HH:MM" in the saves list and on its page,
 * appearing and disappearing live as the lease is taken and released; the device page lists what
 * the device is playing and rotates its key — the (simulated) device takes the new key when its
 * check-in says so, the page follows live, and the old key is refused from then on.
 * Screenshots (desktop/phone, light/dark) go to /tmp/shots/lease/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { authRoutes, createApiClient, deviceRoutes, heartbeatRoutes, keyRotationRoutes, leaseRoutes } from '@retrosync/api';
import { openBrowser, screenshots, type Browser, seeOn, registerThroughForm, reportFailures } from './browser.js';
import { ensureDashboardBuilt } from './build-dashboard.js';
import { pairDevice, type SimDevice } from './device.js';
import { startServer, type RunningServer } from './server.js';

const SHOTS = process.env.LEASE_SHOTS_DIR ?? '/tmp/shots/lease';
const USER = { name: 'Lease Owner', email: `lease-${Date.now()}@example.com`, password: 'correct horse battery' };
const KEY = 'gba/Pokémon Emerald/battery';
const OTHER = 'snes/Chrono Trigger/battery';

let server: RunningServer;
let browser: Browser;
let page: Page;
let handheld: SimDevice;
let deck: SimDevice;
let since = '';

const see = seeOn(() => page);

const hhmm = (iso: string) => page.evaluate((value) => new Date(value).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }), iso);

beforeAll(async () => {
  await ensureDashboardBuilt();
  server = await startServer();
  browser = await openBrowser(server.url);
  page = browser.page;
}, 180_000);

reportFailures('lease e2e', () => browser);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('play lease and key rotation in the dashboard (Chromium)', () => {
  it('a save a handheld is playing shows "In use on RG35XX+ since …" in the list and on its page', async () => {
    await registerThroughForm(page, USER);

    const anonymous = createApiClient({ baseUrl: server.url });
    const { token } = await anonymous.call(authRoutes.login, { body: { email: USER.email, password: USER.password } });
    const user = anonymous.with({ token });
    handheld = await pairDevice(server.url, (await user.call(deviceRoutes.createPairingCode, {})).code, 'RG35XX+', 'rg35xx');
    deck = await pairDevice(server.url, (await user.call(deviceRoutes.createPairingCode, {})).code, 'Steam Deck', 'linux');
    await handheld.heartbeat();
    await deck.heartbeat();
    await handheld.upload(KEY, new TextEncoder().encode('emerald'), { mtime: Date.now() - 60_000 });
    await deck.upload(OTHER, new TextEncoder().encode('chrono'), { mtime: Date.now() - 60_000 });
    // The handheld's launcher hook reports the game starting.
    const claimed = await handheld.api.call(leaseRoutes.claim, { query: {}, body: { keys: [KEY], reason: 'launch' } });
    since = claimed.leases[0]!.since;

    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Saves' }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard/saves');
    const text = `In use on RG35XX+ since ${await hhmm(since)}`;
    await see(text);
    const items = page.getByTestId('save-item');
    expect(await items.filter({ hasText: 'Pokémon Emerald' }).getByTestId('in-use').innerText()).toBe(text);
    expect(await items.filter({ hasText: 'Chrono Trigger' }).getByTestId('in-use').count()).toBe(0);

    await items.filter({ hasText: 'Pokémon Emerald' }).click();
    await page.getByTestId('save-in-use').waitFor();
    expect(await page.getByTestId('save-in-use').innerText()).toMatch(new RegExp(`^${text.replace('+', '\\+')} — the game was started there\\.`));
    await screenshots(page, '01-save-in-use', SHOTS);
  });

  it('the badge follows the lease live: released when the game exits, back when the Deck starts writing', async () => {
    await handheld.api.call(leaseRoutes.release, { body: { keys: [KEY] } });
    await page.getByTestId('save-in-use').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.getByTestId('in-use').count()).toBe(0);
    const taken = await deck.api.call(leaseRoutes.claim, { query: {}, body: { keys: [KEY], reason: 'write' } });
    expect(taken.leases[0]).toMatchObject({ held: true, deviceName: 'Steam Deck' });
    const text = `In use on Steam Deck since ${await hhmm(taken.leases[0]!.since)}`;
    await see(text);
    expect(await page.getByTestId('save-in-use').innerText()).toContain('it is writing this save');
    // Give it back to the handheld for the device page.
    await deck.api.call(leaseRoutes.release, {});
    const again = await handheld.api.call(leaseRoutes.claim, { query: {}, body: { keys: [KEY], reason: 'launch' } });
    since = again.leases[0]!.since;
    await see(`In use on RG35XX+ since ${await hhmm(since)}`);
    // The overview lists what is being played right now.
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByTestId('playing-card').waitFor();
    expect(await page.getByTestId('playing-card').innerText()).toContain(`Pokémon Emerald on RG35XX+ since ${await hhmm(since)}`);
    await screenshots(page, '01b-overview-playing', SHOTS);
    expect(browser.errors).toEqual([]);
  });

  it('the device page shows what it is playing and rotates its key; the old key is refused once the device took the new one', async () => {
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Devices' }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard/devices');
    await page.getByRole('link', { name: 'Open RG35XX+: playing now, API key' }).waitFor();
    await screenshots(page, '02-devices', SHOTS);
    await page.getByRole('link', { name: 'Open RG35XX+: playing now, API key' }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard/device');
    await page.getByRole('heading', { name: 'RG35XX+', level: 1 }).waitFor();
    const playing = page.getByTestId('device-playing');
    await playing.getByText('Pokémon Emerald').waitFor();
    expect(await playing.getByTestId('in-use').innerText()).toBe(`In use on RG35XX+ since ${await hhmm(since)}`);
    expect(await page.getByTestId('key-rotated-at').innerText()).toBe('when it was paired');
    await screenshots(page, '03-device-page', SHOTS);

    await page.getByRole('button', { name: 'Rotate key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the key of RG35XX+?' });
    await dialog.waitFor();
    await screenshots(page, '04-rotate-confirm', SHOTS);
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByTestId('key-waiting').waitFor();
    expect(await page.getByTestId('key-waiting').innerText()).toMatch(/^Waiting for RG35XX\+ to take its new key .*It is online, so this takes a few seconds\./);
    expect(await page.getByRole('button', { name: 'Rotate key' }).isDisabled()).toBe(true);
    await screenshots(page, '05-rotation-waiting', SHOTS);

    // The handheld's next check-in says so; it rotates in two steps, as the clients do.
    const beat = await handheld.api.call(heartbeatRoutes.heartbeat, { body: {} });
    expect(beat.keyRotation).toBe('requested');
    const { apiKey } = await handheld.api.call(keyRotationRoutes.rotate, {});
    const renewed = createApiClient({ baseUrl: server.url, apiKey });
    await renewed.call(keyRotationRoutes.confirm, {});
    await page.getByTestId('key-done').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('key-done').innerText()).toBe('RG35XX+ now uses a new key; the old one no longer works anywhere.');
    expect(await page.getByTestId('key-rotated-at').innerText()).toMatch(/just now|seconds? ago|min/);
    expect(await page.getByRole('button', { name: 'Rotate key' }).isDisabled()).toBe(false);
    await screenshots(page, '06-key-rotated', SHOTS);

    await expect(handheld.api.call(heartbeatRoutes.heartbeat, { body: {} })).rejects.toMatchObject({ status: 401 });
    expect((await renewed.call(heartbeatRoutes.heartbeat, { body: {} })).keyRotation).toBeUndefined();
    // Still the same device, still playing: no re-pairing.
    expect(await page.getByTestId('device-playing').getByTestId('in-use').count()).toBe(1);
    expect(browser.errors).toEqual([]);
  });
});
