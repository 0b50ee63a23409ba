/**
 * Webhooks in the dashboard, in Chromium against the real server, with a real receiver on
 * loopback (so the server runs with WEBHOOKS_ALLOW_PRIVATE=true): a refused URL shows why, a new
 * hook's secret is shown once and never again, "Send test event" reaches the receiver with a
 * valid signature and appears in the delivery log, a device's upload is delivered, and a failing
 * receiver shows failed attempts until the hook is turned off, then on again.
 * Screenshots (desktop/phone, light/dark) go to /tmp/shots/hooks/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createApiClient, deviceRoutes, authRoutes } from '@retrosync/api';
import { startReceiver, type Receiver } from '../../packages/server/src/webhooks/test-support/receiver.js';
import { openBrowser, screenshots, type Browser, seeOn, registerThroughForm, reportFailures } from './browser.js';
import { ensureDashboardBuilt } from './build-dashboard.js';
import { pairDevice, type SimDevice } from './device.js';
import { startServer, type RunningServer } from './server.js';

const SHOTS = process.env.WEBHOOK_SHOTS_DIR ?? '/tmp/shots/hooks';
const USER = { name: 'Hook Owner', email: `hooks-${Date.now()}@example.com`, password: 'correct horse battery' };
const KEY = 'gba/Pokémon Emerald/battery';

let server: RunningServer;
let browser: Browser;
let page: Page;
let receiver: Receiver;
let handheld: SimDevice;
let secret = '';
/** The one 4xx the test provokes on purpose (a refused URL); Chromium logs it as a console error. */
const provoked: RegExp[] = [];

const see = seeOn(() => page);

beforeAll(async () => {
  await ensureDashboardBuilt();
  server = await startServer({
    WEBHOOKS_ALLOW_PRIVATE: 'true',
    WEBHOOKS_POLL_MS: '100',
    WEBHOOKS_RETRY_BASE_MS: '200',
    WEBHOOKS_MAX_ATTEMPTS: '2',
    WEBHOOKS_DISABLE_AFTER: '3',
  });
  receiver = await startReceiver();
  browser = await openBrowser(server.url);
  page = browser.page;
}, 180_000);

reportFailures('webhooks e2e', () => browser);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await receiver?.close();
});

describe('webhooks in the dashboard (Chromium)', () => {
  it('registers and opens the empty Webhooks page from the navigation', async () => {
    await registerThroughForm(page, USER);
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard/webhooks');
    await see('No webhooks yet');
    await screenshots(page, '01-webhooks-empty', SHOTS);
  });

  it('refuses a cloud-metadata URL with the reason', async () => {
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByLabel('Endpoint URL').fill('http://169.254.169.254/latest/meta-data/');
    provoked.push(/status of 400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/api\/webhooks\)/);
    await page.getByRole('button', { name: 'Add webhook' }).last().click();
    await see(/169\.254\.169\.254 is a cloud metadata address/);
    await screenshots(page, '02-webhook-refused', SHOTS);
  });

  it('adds a hook: its secret is shown once, and never again after "I have stored it" or a reload', async () => {
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel('Note (optional)').fill('Home server');
    await page.getByRole('button', { name: 'Add webhook' }).last().click();
    const value = page.getByTestId('webhook-secret-value');
    await value.waitFor();
    secret = (await value.innerText()).trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    receiver.secret = secret;
    await see('it is not shown again.');
    await screenshots(page, '03-webhook-secret-once', SHOTS);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByTestId('webhook-secret').waitFor({ state: 'detached' });
    const row = page.getByTestId('webhook-row');
    expect(await row.locator('.webhook-url').innerText()).toBe(receiver.url);
    await row.getByText(`Secret …${secret.slice(-4)}`).waitFor();
    await page.reload();
    await page.getByTestId('webhook-row').waitFor();
    expect(await page.content()).not.toContain(secret);
  });

  it('"Send test event" reaches the receiver, signed, and the delivery log shows HTTP 200', async () => {
    await page.getByRole('button', { name: 'Send test event' }).click();
    await see('Test event queued');
    const [got] = await receiver.waitFor((all) => all.length === 1);
    expect(got).toMatchObject({ event: 'webhook.test', verified: true, status: 200 });
    const row = page.getByTestId('delivery-row').first();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-ok')).toBe('true');
    expect(await row.innerText()).toMatch(/Test event[\s\S]*#1[\s\S]*HTTP 200[\s\S]*\d+ ms/);
    // The webhook's own status follows the log without waiting for its slower re-read.
    await page.getByTestId('webhook-row').getByText('Last delivered just now').waitFor({ timeout: 3_000 });
    await screenshots(page, '04-webhook-test-delivered', SHOTS);
  });

  it('a device upload is delivered and logged', async () => {
    const anonymous = createApiClient({ baseUrl: server.url });
    const { token } = await anonymous.call(authRoutes.login, { body: { email: USER.email, password: USER.password } });
    const { code } = await anonymous.with({ token }).call(deviceRoutes.createPairingCode, {});
    handheld = await pairDevice(server.url, code, 'RG35XX Plus', 'rg35xx');
    await handheld.upload(KEY, new TextEncoder().encode('emerald v1'), { mtime: Date.now() - 1000 });
    const got = await receiver.waitFor((all) => all.some((r) => r.event === 'save.uploaded'));
    const uploaded = got.find((r) => r.event === 'save.uploaded')!;
    expect(uploaded.verified).toBe(true);
    expect(uploaded.json.data).toMatchObject({ key: KEY, version: 1, deviceName: 'RG35XX Plus' });
    expect(got.find((r) => r.event === 'device.paired')?.json.data).toMatchObject({ deviceName: 'RG35XX Plus' });
    await page.getByTestId('delivery-log').getByText('Save uploaded').first().waitFor({ timeout: 10_000 });
    await page.getByTestId('delivery-log').getByText('Device paired').first().waitFor();
  });

  it('a failing receiver shows failed attempts, then the hook is turned off; turning it on again works', async () => {
    receiver.respond = () => 500;
    await handheld.upload(KEY, new TextEncoder().encode('emerald v2'), { base: 1, mtime: Date.now() - 500 });
    await handheld.upload('gba/Metroid Fusion/battery', new TextEncoder().encode('fusion'), { mtime: Date.now() - 500 });
    await page.getByTestId('webhook-disabled').waitFor({ timeout: 20_000 });
    await see(/after 3 failed deliveries in a row/);
    expect(await page.getByTestId('webhook-row').getAttribute('data-enabled')).toBe('false');
    const failed = page.locator('[data-testid="delivery-row"][data-ok="false"]');
    await failed.nth(2).waitFor({ timeout: 10_000 });
    expect(await failed.first().innerText()).toMatch(/HTTP 500[\s\S]*receiver is down for the test/);
    await screenshots(page, '05-webhook-disabled-log', SHOTS);

    receiver.respond = () => 200;
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.locator('[data-testid="webhook-row"][data-enabled="true"]').waitFor();
    await see('Active');
  });

  it('left no unexpected console errors', () => {
    const unexpected = browser.errors.filter((e) => !provoked.some((p) => p.test(e)));
    expect(unexpected).toEqual([]);
    for (const p of provoked) expect(browser.errors.filter((e) => p.test(e))).toHaveLength(1);
  });
});
