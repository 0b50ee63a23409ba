/**
 * Debian's Chromium driven by playwright-core, with a fresh profile, collecting console
 * errors and taking screenshots at phone and desktop size in light and dark mode.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { ROOT } from './build-dashboard.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(ROOT, 'artifacts/screenshots');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(baseURL: string): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'retrosync-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    baseURL,
    viewport: DESKTOP,
    colorScheme: 'light',
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Writes `<name>-{desktop,phone}-{light,dark}.png` (into `dir`, default artifacts/screenshots) and returns to desktop/light; fails when the
 * page is wider than the viewport (horizontal scrolling) at either size.
 */
export async function screenshots(page: Page, name: string, dir: string = SCREENSHOT_DIR): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    // Nothing may stick out sideways: a phone-sized page scrolls only vertically.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) throw new Error(`${name} is ${overflow}px wider than the ${size} viewport`);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const path = join(dir, `${name}-${size}-${scheme}.png`);
      await page.screenshot({ path, fullPage: true, animations: 'disabled' });
      written.push(path);
    }
  }
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'light' });
  return written;
}

/** `see(text)`: waits until the page shows `text` (the first match) — every dashboard test's assertion of what a person sees. */
export function seeOn(currentPage: () => Page): (text: string | RegExp, timeout?: number) => Promise<void> {
  return async (text, timeout = 10_000) => {
    await currentPage().getByText(text).first().waitFor({ state: 'visible', timeout });
  };
}

/** When a step fails, says where the browser was, what it showed and which errors it logged. */
export function reportFailures(tag: string, current: () => Browser | undefined): void {
  afterEach(async (context) => {
    const browser = current();
    if (context.task.result?.state !== 'fail' || !browser?.page) return;
    const text = await browser.page.locator('body').innerText().catch(() => '(no body)');
    console.error(`[${tag}] at ${browser.page.url()}\n${text.slice(0, 2000)}\nbrowser errors: ${JSON.stringify(browser.errors)}`);
  });
}

/** Creates the account through the registration form and waits for the devices page it leads to. */
export async function registerThroughForm(page: Page, user: { name: string; email: string; password: string }): Promise<void> {
  await page.goto('/auth/register');
  await page.getByLabel('Name').fill(user.name);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/dashboard/devices');
}
