/**
 * A real RetroSync server as a child process (the way a self-hoster runs it), on a free port with
 * its own data folder, plus a tampering proxy for the corrupted-download case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './busybox-env.js';
import { freePort } from '../../../packages/server/src/test-support/ports.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'rs-server-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts'],
    { cwd: REPO, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', JWT_SECRET: 'shell-client-test-secret-0123456789abcdef', LAN_DISCOVERY: 'false', ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${err}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok || r.status < 500) break;
    } catch {
      /* not yet listening */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A user with a JWT, and helpers for the dashboard side of pairing and for reading saves. */
export async function newUser(url: string, email: string) {
  const reg = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery', name: 'Player' }),
  });
  const body = (await reg.json()) as { data: { token: string } };
  const token = body.data.token;
  const auth = { authorization: `Bearer ${token}` };
  return {
    token,
    async pairingCode(): Promise<string> {
      const r = await fetch(`${url}/api/devices/create-pairing-code`, { method: 'POST', headers: auth });
      return ((await r.json()) as { data: { code: string } }).data.code;
    },
    async link(code: string): Promise<number> {
      const r = await fetch(`${url}/api/devices/link`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
      return r.status;
    },
    async devices(): Promise<{ id: string; name: string; deviceType: string }[]> {
      const r = await fetch(`${url}/api/devices`, { headers: auth });
      return ((await r.json()) as { data: { devices: { id: string; name: string; deviceType: string }[] } }).data.devices;
    },
    async save(key: string): Promise<Buffer | null> {
      const r = await fetch(`${url}/api/sync/saves/${key.split('/').map(encodeURIComponent).join('/')}`, { headers: auth });
      return r.ok ? Buffer.from(await r.arrayBuffer()) : null;
    },
    async versions(key: string): Promise<{ version: number; sha256: string; conflict: boolean; head: boolean }[]> {
      const r = await fetch(`${url}/api/sync/versions/${key.split('/').map(encodeURIComponent).join('/')}`, { headers: auth });
      return ((await r.json()) as { data: { versions: { version: number; sha256: string; conflict: boolean; head: boolean }[] } }).data.versions;
    },
  };
}

/** Forwards to the server; while `tamper` is on, flips the first byte of every save download. */
export async function startTamperingProxy(target: string): Promise<{ url: string; tamper: { on: boolean }; stop(): Promise<void> }> {
  const tamper = { on: false };
  const t = new URL(target);
  const server: Server = createServer((req, res) => {
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      const isSave = req.method === 'GET' && (req.url ?? '').startsWith('/api/sync/saves/') && upRes.statusCode === 200;
      if (!isSave || !tamper.on) {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const body = Buffer.concat(chunks);
        if (body.length > 0) body[0] = (body[0] as number) ^ 0xff;
        res.writeHead(200, upRes.headers);
        res.end(body);
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    tamper,
    stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
