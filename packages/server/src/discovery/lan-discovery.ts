/**
 * LAN discovery (docs/discovery.md): answers a UDP probe with the server's name, the URL a device
 * on that network should use, and the server version — nothing else, nothing secret.
 *
 *   probe  (device → any, usually broadcast): "RETROSYNC/1 DISCOVER\n", padded to ≥ PROBE_MIN bytes
 *   answer (server → the probe's sender):     "RETROSYNC/1 ANSWER\nname=…\nurl=…\nversion=…\n"
 *
 * The probe is padded so that an answer is never larger than the probe that caused it (no UDP
 * amplification), and answers are capped per second. Anything else is ignored silently.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import os from 'node:os';

export const DISCOVERY_VERSION = 1;
export const PROBE_PREFIX = `RETROSYNC/${DISCOVERY_VERSION} DISCOVER`;
export const ANSWER_HEADER = `RETROSYNC/${DISCOVERY_VERSION} ANSWER`;
/** A probe shorter than this is ignored; the answer is at most this long. */
export const PROBE_MIN = 512;
const ANSWERS_PER_SECOND = 50;

export interface DiscoveryOptions {
  /** UDP port (0 = any free port, for tests). */
  port: number;
  /** Bind address; default all interfaces. */
  host?: string;
  /** Shown in the device's list; default "RetroSync on <hostname>". */
  name?: string | undefined;
  /** The configured public URL (NEXT_PUBLIC_API_URL), answered as is when set. */
  publicUrl?: string | undefined;
  /** Port of the HTTP server, for the URL built when no public URL is configured. */
  httpPort: number;
  version: string;
  log?: { info(msg: string): void; warn(msg: string): void };
}

export interface DiscoveryResponder {
  port: number;
  close(): Promise<void>;
}

/** One line of the answer: no control characters, bounded length. */
function clean(v: string, max: number): string {
  return v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, max);
}

/** The answer text for a probe that arrived from `from` (docs/discovery.md). */
export function answerFor(opts: Pick<DiscoveryOptions, 'name' | 'publicUrl' | 'httpPort' | 'version'>, from: string): string {
  const name = clean(opts.name ?? `RetroSync on ${os.hostname()}`, 64) || 'RetroSync';
  const url = clean(opts.publicUrl ?? `http://${localAddressFor(from)}:${opts.httpPort}`, 160);
  return `${ANSWER_HEADER}\nname=${name}\nurl=${url}\nversion=${clean(opts.version, 32)}\n`;
}

/**
 * The address of this machine on the sender's network (the interface whose subnet holds the
 * sender), so a device gets a URL it can reach without NEXT_PUBLIC_API_URL being configured.
 */
export function localAddressFor(from: string, interfaces = os.networkInterfaces()): string {
  if (from.startsWith('127.')) return '127.0.0.1';
  const toInt = (a: string) => a.split('.').reduce((n, p) => (n << 8) + Number(p), 0) >>> 0;
  const src = toInt(from);
  let fallback: string | undefined;
  for (const list of Object.values(interfaces)) {
    for (const i of list ?? []) {
      if (i.family !== 'IPv4' || i.internal) continue;
      fallback ??= i.address;
      const mask = toInt(i.netmask);
      if (((toInt(i.address) & mask) >>> 0) === ((src & mask) >>> 0)) return i.address;
    }
  }
  return fallback ?? '127.0.0.1';
}

export function isProbe(msg: Buffer): boolean {
  return msg.length >= PROBE_MIN && msg.length <= 1500 && msg.subarray(0, PROBE_PREFIX.length).toString('latin1') === PROBE_PREFIX;
}

export async function startDiscovery(opts: DiscoveryOptions): Promise<DiscoveryResponder> {
  const sock: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  let second = 0;
  let sent = 0;
  sock.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    if (!isProbe(msg)) return;
    const now = Math.floor(Date.now() / 1000);
    if (now !== second) {
      second = now;
      sent = 0;
    }
    if (++sent > ANSWERS_PER_SECOND) return;
    const answer = Buffer.from(answerFor(opts, rinfo.address), 'utf8').subarray(0, PROBE_MIN);
    sock.send(answer, rinfo.port, rinfo.address, () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(opts.port, opts.host ?? '0.0.0.0', () => {
      sock.off('error', reject);
      sock.on('error', (err) => opts.log?.warn(`LAN discovery: ${err.message}`));
      resolve();
    });
  });
  const port = sock.address().port;
  return {
    port,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
