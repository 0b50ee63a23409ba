/**
 * LAN discovery for `retrosync pair` without --server (docs/discovery.md, format 1): one UDP probe
 * (padded to 512 bytes) to the broadcast address(es), answers collected for a moment.
 * RETROSYNC_DISCOVERY_PORT (47624) and RETROSYNC_DISCOVERY_ADDRS (255.255.255.255, a comma list)
 * redirect it (tests use the loopback broadcast).
 */
import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';

export interface FoundServer {
  name: string;
  url: string;
  version: string;
}

const PROBE_MIN = 512;
const HEADER = 'RETROSYNC/1 ANSWER';

/** One answer → a server, or null when it is not a usable version 1 answer. */
export function parseAnswer(text: string): FoundServer | null {
  const lines = text.replace(/\r/g, '').split('\n');
  if (lines[0] !== HEADER) return null;
  const f: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const m = /^(name|url|version)=(.*)$/.exec(l);
    if (m && !(m[1] as string in f)) f[m[1] as string] = (m[2] as string).trim();
  }
  const url = f.url?.replace(/\/+$/, '');
  if (!url || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) return null;
  return { name: (f.name || url).slice(0, 64), url, version: (f.version ?? '?').slice(0, 32) };
}

export async function discoverServers(env: Record<string, string | undefined>, waitMs = 1500): Promise<FoundServer[]> {
  const port = Number(env.RETROSYNC_DISCOVERY_PORT) || 47624;
  const addresses = env.RETROSYNC_DISCOVERY_ADDRS
    ? env.RETROSYNC_DISCOVERY_ADDRS.split(',').map((a) => a.trim()).filter(Boolean)
    : ['255.255.255.255', ...localBroadcasts()];
  const probe = Buffer.from('RETROSYNC/1 DISCOVER\n'.padEnd(PROBE_MIN, ' '));
  const sock = createSocket('udp4');
  const found = new Map<string, FoundServer>();
  sock.on('message', (m) => {
    const s = parseAnswer(m.toString('utf8'));
    if (s && !found.has(s.url)) found.set(s.url, s);
  });
  sock.on('error', () => undefined);
  try {
    await new Promise<void>((resolve) => sock.bind(0, () => resolve()));
    sock.setBroadcast(true);
    // A network without a route for the broadcast address simply finds nothing.
    await Promise.all(addresses.map((a) => new Promise<void>((resolve) => sock.send(probe, port, a, () => resolve()))));
    await new Promise((r) => setTimeout(r, waitMs));
  } finally {
    sock.close();
  }
  return [...found.values()];
}

/** Each local IPv4 network's own broadcast address (some networks drop 255.255.255.255). */
export function localBroadcasts(ifs = networkInterfaces()): string[] {
  const out = new Set<string>();
  for (const list of Object.values(ifs)) {
    for (const i of list ?? []) {
      if (i.family !== 'IPv4' || i.internal) continue;
      const a = i.address.split('.').map(Number);
      const m = i.netmask.split('.').map(Number);
      out.add(a.map((x, k) => (x | (~(m[k] as number) & 255)) & 255).join('.'));
    }
  }
  return [...out];
}
