/**
 * Selective sync on the device page, in Chromium against the real server: a handheld uploads saves
 * of two systems (and a state) → on its device page the player chooses "only GBA", turns save
 * states off and never syncs one game → the page says what is in force → the handheld's next feed
 * read (no re-pairing) lists only what the filter includes, its uploads of excluded saves are
 * refused, and nothing was deleted (the other device still sees everything) → a malformed game
 * entry is refused with the field named → the device changes its own filter (retrosync filter)
 * and the open page follows live → "Sync everything" restores it. No console errors beyond the one
 * provoked 400. Screenshots (desktop/phone, light/dark) go to /tmp/shots/selective/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ApiError, authRoutes, createApiClient, deviceRoutes, syncFeedRoutes, syncFilterRoutes } from '@retrosync/api';
import { openBrowser, screenshots, type Browser, seeOn, registerThroughForm, reportFailures } from './browser.js';
import { ensureDashboardBuilt } from './build-dashboard.js';
import { pairDevice, type SimDevice } from './device.js';
import { startServer, type RunningServer } from './server.js';

const SHOTS = process.env.SELECTIVE_SHOTS_DIR ?? '/tmp/shots/selective';
const USER = { name: 'Sel Ective', email: `selective-${Date.now()}@example.com`, password: 'correct horse battery' };
const EMERALD = 'gba/Pokémon Emerald/battery';
const RUBY = 'gba/Pokemon Ruby/battery';
const CHRONO = 'snes/Chrono Trigger/battery';
const STATE = 'gba/Pokémon Emerald/state/mGBA/1';

let server: RunningServer;
let browser: Browser;
let page: Page;
let handheld: SimDevice;
let deck: SimDevice;
const provoked: RegExp[] = [];

const see = seeOn(() => page);

async function shots(name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshots(page, name, SHOTS);
}

const feedKeys = async (d: SimDevice) => (await d.api.call(syncFeedRoutes.files, { query: { since: 0 } })).files.map((f) => f.key).sort();

beforeAll(async () => {
  await ensureDashboardBuilt();
  server = await startServer();
  browser = await openBrowser(server.url);
  page = browser.page;
}, 180_000);

reportFailures('selective e2e', () => browser);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('selective sync on the device page (Chromium)', () => {
  it('the device page shows what a device syncs: everything, to begin with', async () => {
    await registerThroughForm(page, USER);
    const anonymous = createApiClient({ baseUrl: server.url });
    const { token } = await anonymous.call(authRoutes.login, { body: { email: USER.email, password: USER.password } });
    const user = anonymous.with({ token });
    handheld = await pairDevice(server.url, (await user.call(deviceRoutes.createPairingCode, {})).code, 'Miyoo Mini+', 'miyoo_mini');
    deck = await pairDevice(server.url, (await user.call(deviceRoutes.createPairingCode, {})).code, 'Steam Deck', 'linux');
    await handheld.heartbeat();
    const t = Date.now() - 60_000;
    for (const key of [EMERALD, RUBY, CHRONO, STATE]) await deck.upload(key, new TextEncoder().encode(key), { mtime: t });

    await page.goto(`/dashboard/device?id=${handheld.id}`);
    await page.getByRole('heading', { name: 'Miyoo Mini+', level: 1 }).waitFor();
    const panel = page.getByTestId('sync-filter');
    await panel.getByTestId('filter-summary').getByText('everything').waitFor();
    expect(await panel.getByRole('radio', { name: 'All systems', exact: true }).isChecked()).toBe(true);
    expect(await panel.getByRole('checkbox', { name: /Sync save states/ }).isChecked()).toBe(true);
    expect(await panel.getByRole('button', { name: 'Save filter' }).isDisabled()).toBe(true);
    await shots('01-device-everything');
  });

  it('only GBA, no states, never Pokemon Ruby: saved, and the handheld follows at its next read', async () => {
    const panel = page.getByTestId('sync-filter');
    await panel.getByRole('radio', { name: 'Only these systems' }).check();
    await panel.getByRole('group', { name: 'Systems to sync' }).getByRole('checkbox', { name: 'gba' }).check();
    await panel.getByRole('checkbox', { name: /Sync save states/ }).uncheck();
    await panel.getByLabel('Never sync these games').fill('gba/Pokemon Ruby');
    await panel.getByLabel('Never sync these games').press('Enter');
    await panel.getByRole('list', { name: 'Never sync these games' }).getByText('gba/Pokemon Ruby').waitFor();
    await shots('02-device-editing');
    await panel.getByRole('button', { name: 'Save filter' }).click();
    await see('Saved. Miyoo Mini+ applies it at its next sync — no need to pair it again.');
    expect(await panel.getByTestId('filter-summary').innerText()).toMatch(/^Now: only gba; never gba\/Pokemon Ruby; states off · set here/);
    await shots('03-device-saved');

    // The handheld, without pairing again: its feed lists only what the filter includes…
    expect(await feedKeys(handheld)).toEqual([EMERALD]);
    // …it cannot upload or fetch what it excludes…
    const refused = await handheld.upload(CHRONO, new TextEncoder().encode('from the handheld'), { base: 1, mtime: Date.now() }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('save_excluded');
    // …and nothing was deleted: the Deck still sees every save.
    expect(await feedKeys(deck)).toEqual([CHRONO, RUBY, EMERALD, STATE].sort());
  });

  it('a malformed game is refused with the field named; nothing changes', async () => {
    const panel = page.getByTestId('sync-filter');
    await panel.getByLabel('Always sync these games').fill('Chrono Trigger');
    await panel.getByLabel('Always sync these games').press('Enter');
    provoked.push(/status of 400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/api\/devices\/filter\)/);
    await panel.getByRole('button', { name: 'Save filter' }).click();
    await see(/expected <system>\/<game>/);
    await shots('04-device-invalid');
    await panel.getByRole('button', { name: 'Remove Chrono Trigger from “Always sync these games”' }).click();
    expect(await panel.getByRole('button', { name: 'Save filter' }).isDisabled()).toBe(true);
    expect(await feedKeys(handheld)).toEqual([EMERALD]);
  });

  it('the device changes its own filter (retrosync filter) and the open page follows live', async () => {
    await handheld.api.call(syncFilterRoutes.set, { body: { systemMode: 'except', systems: ['gba'], includeGames: [], excludeGames: [], states: true } });
    const panel = page.getByTestId('sync-filter');
    await panel.getByTestId('filter-summary').getByText('all systems except gba; states on').waitFor();
    expect(await panel.getByTestId('filter-summary').innerText()).toContain('set on the device');
    expect(await panel.getByRole('radio', { name: 'All systems except these' }).isChecked()).toBe(true);
    expect(await feedKeys(handheld)).toEqual([CHRONO]);
    await shots('05-device-set-by-device');

    await panel.getByRole('button', { name: 'Sync everything' }).click();
    await panel.getByTestId('filter-summary').getByText('everything').waitFor();
    expect(await feedKeys(handheld)).toEqual([CHRONO, RUBY, EMERALD, STATE].sort());
    await shots('06-device-everything-again');
    const unexpected = browser.errors.filter((e) => !provoked.some((p) => p.test(e)));
    expect(unexpected).toEqual([]);
  });
});
