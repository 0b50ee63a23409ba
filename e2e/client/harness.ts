/**
 * End-to-end harness for the desktop client: a real server (in this process, SQLite and a blob
 * folder in a temp DATA_DIR, random port, real clock) and `retrosync` client processes, each with
 * its own RETROSYNC_HOME and `--root` folder laid out as a handheld.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { authRoutes, createApiClient, deviceRoutes, type ApiClient } from '@retrosync/api';
import { buildApp, loadConfig, openDatabase } from '@retrosync/server';

export const REPO = resolve(import.meta.dirname, '../..');
const MAIN = join(REPO, 'packages/cli/src/main.ts');

export interface RunningServer {
  url: string;
  dataDir: string;
  /** The API as the test user, signed in (what the dashboard does). */
  user: ApiClient;
  /** A fresh 6-digit pairing code for the test user. */
  pairingCode(): Promise<string>;
  /** The signed-in user enters a device-shown code in the dashboard. */
  link(code: string): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rs-e2e-server-'));
  const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456789', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' });
  const opened = await openDatabase(config.database);
  const app = await buildApp({ config, db: opened.db, dialect: opened.dialect, jwtSecret: 'e2e-secret-e2e-secret-e2e-secret-0123456789', logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const anon = createApiClient({ baseUrl: url, credentials: 'omit' });
  const session = await anon.call(authRoutes.register, { body: { email: `player-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Player' } });
  const user = anon.with({ token: session.token });
  return {
    url,
    dataDir,
    user,
    async pairingCode() {
      return (await user.call(deviceRoutes.createPairingCode, {})).code;
    },
    async link(code) {
      await user.call(deviceRoutes.linkDeviceCode, { body: { code } });
    },
    async close() {
      await app.close();
      await opened.close();
    },
  };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Client {
  name: string;
  home: string;
  root: string;
  env: NodeJS.ProcessEnv;
  cli(...args: string[]): Promise<CliResult>;
  spawn(...args: string[]): ChildProcess;
  write(devicePath: string, content: string | Uint8Array, mtimeMs?: number): string;
  read(devicePath: string): string | null;
  path(devicePath: string): string;
}

export function makeClient(name: string, dirs: string[]): Client {
  const base = mkdtempSync(join(tmpdir(), `rs-e2e-${name}-`));
  const home = join(base, 'home');
  const root = join(base, 'root');
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  const env = { ...process.env, RETROSYNC_HOME: home, XDG_CONFIG_HOME: join(base, 'xdg') };
  const path = (p: string) => join(root, p);
  const spawnCli = (...args: string[]) =>
    spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    name,
    home,
    root,
    env,
    path,
    spawn: spawnCli,
    cli: (...args) =>
      new Promise((resolveRun) => {
        const child = spawnCli(...args);
        let stdout = '';
        let stderr = '';
        child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => resolveRun({ status, stdout, stderr }));
      }),
    write(p, content, mtimeMs) {
      const full = path(p);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      if (mtimeMs !== undefined) utimesSync(full, new Date(mtimeMs), new Date(mtimeMs));
      return full;
    },
    read(p) {
      return existsSync(path(p)) ? readFileSync(path(p), 'utf8') : null;
    },
  };
}

/** Reads JSON lines from a daemon's stdout; `waitFor` resolves on the first event matching. */
export function events(child: ChildProcess): { all: Record<string, unknown>[]; waitFor(pred: (e: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>> } {
  const all: Record<string, unknown>[] = [];
  const waiters: { pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    all.push(e);
    for (const w of [...waiters]) if (w.pred(e)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(e));
  });
  return {
    all,
    waitFor(pred, ms = 20_000) {
      const hit = all.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error(`timed out waiting for a daemon event; saw ${JSON.stringify(all.slice(-5))}`)), ms);
        waiters.push({ pred, resolve: (e) => (clearTimeout(t), res(e)) });
      });
    },
  };
}

export async function until(check: () => boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    child.once('exit', () => res());
    child.kill('SIGTERM');
  });
}
