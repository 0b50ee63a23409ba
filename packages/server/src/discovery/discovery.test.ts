/**
 * LAN discovery against a real server process (main.ts, as a self-hoster starts it): the answer
 * holds exactly name, url and version; short probes and other datagrams get nothing; and
 * LAN_DISCOVERY=false leaves the port closed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_VERSION } from '../version.js';
import { ANSWER_HEADER, PROBE_MIN, PROBE_PREFIX, answerFor, localAddressFor } from './lan-discovery.js';
import { freePort, freeUdpPort } from '../test-support/ports.js';

const REPO = resolve(import.meta.dirname, '../../../..');
const SECRET = 'discovery-test-secret-0123456789abcdefXYZ';
const children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : (c.once('exit', () => r()), c.kill('SIGTERM'))))));
});

/** Starts main.ts; resolves once its log says discovery is on (or off) and /healthz answers. */
async function startServer(env: Record<string, string>): Promise<{ url: string; log: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: mkdtempSync(join(tmpdir(), 'rs-disc-')), JWT_SECRET: SECRET, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    if (/LAN discovery (answering|is off)/.test(out) || (env.LAN_DISCOVERY === 'false' && /listening/.test(out))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, log: () => out };
}

/** Sends one datagram to 127.255.255.255 (the loopback broadcast) and collects answers for `ms`. */
async function probe(port: number, payload: Buffer, ms = 800): Promise<string[]> {
  const s = createSocket('udp4');
  const answers: string[] = [];
  s.on('message', (m) => answers.push(m.toString('utf8')));
  await new Promise<void>((r) => s.bind(0, () => r()));
  s.setBroadcast(true);
  await new Promise<void>((r, j) => s.send(payload, port, '127.255.255.255', (e) => (e ? j(e) : r())));
  await new Promise((r) => setTimeout(r, ms));
  s.close();
  return answers;
}

const goodProbe = () => Buffer.from(`${PROBE_PREFIX}\n`.padEnd(PROBE_MIN, ' '));

describe('LAN discovery', () => {
  it('answers a broadcast probe with name, url and version, and nothing else', async () => {
    const udp = await freeUdpPort();
    const server = await startServer({ LAN_DISCOVERY_PORT: String(udp), SERVER_NAME: 'Living room' });
    const answers = await probe(udp, goodProbe());
    expect(answers).toHaveLength(1);
    const text = answers[0] as string;
    const [header, ...lines] = text.trimEnd().split('\n');
    expect(header).toBe(ANSWER_HEADER);
    const fields = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(fields).toEqual({ name: 'Living room', url: server.url, version: SERVER_VERSION });
    expect(text).not.toContain(SECRET);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(PROBE_MIN);
    // The URL it gives works.
    expect((await fetch(`${fields.url}/healthz`)).status).toBe(200);
  });

  it('ignores short probes (no amplification) and other datagrams', async () => {
    const udp = await freeUdpPort();
    await startServer({ LAN_DISCOVERY_PORT: String(udp) });
    expect(await probe(udp, Buffer.from(`${PROBE_PREFIX}\n`))).toEqual([]);
    expect(await probe(udp, Buffer.from('M-SEARCH * HTTP/1.1\r\n'.padEnd(PROBE_MIN, ' ')))).toEqual([]);
    expect(await probe(udp, goodProbe())).toHaveLength(1);
  });

  it('is off with LAN_DISCOVERY=false', async () => {
    const udp = await freeUdpPort();
    const server = await startServer({ LAN_DISCOVERY: 'false', LAN_DISCOVERY_PORT: String(udp) });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await probe(udp, goodProbe(), 1000)).toEqual([]);
    expect(server.log()).not.toMatch(/LAN discovery answering/);
  });

  it('answers the configured public URL as is, else the address on the sender’s network', () => {
    const base = { httpPort: 3000, version: '1.2.3', name: 'x' };
    expect(answerFor({ ...base, publicUrl: 'https://sync.example.net' }, '192.168.1.20')).toContain('\nurl=https://sync.example.net\n');
    const ifs = {
      lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', internal: true }],
      eth0: [{ address: '10.0.0.5', netmask: '255.255.255.0', family: 'IPv4', internal: false }],
      wlan0: [{ address: '192.168.1.7', netmask: '255.255.255.0', family: 'IPv4', internal: false }],
    } as unknown as ReturnType<typeof import('node:os').networkInterfaces>;
    expect(localAddressFor('192.168.1.20', ifs)).toBe('192.168.1.7');
    expect(localAddressFor('10.0.0.9', ifs)).toBe('10.0.0.5');
    expect(localAddressFor('127.0.0.1', ifs)).toBe('127.0.0.1');
    // A name cannot inject a line.
    expect(answerFor({ ...base, name: 'evil\napiKey=1' }, '127.0.0.1').split('\n').filter((l) => l.startsWith('apiKey'))).toEqual([]);
  });
});
