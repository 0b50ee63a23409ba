/**
 * The SSRF guard for webhook targets. A URL is checked when a hook is created or changed AND at
 * every delivery, against the addresses its host resolves to *then* (a hostname may resolve to a
 * public address at creation and to 127.0.0.1 later: DNS rebinding). The delivery then connects to
 * exactly the addresses that were checked (`pinnedLookup`), never resolving the name a second time.
 *
 * Address classes (IPv4-mapped/compatible, NAT64 and 6to4 IPv6 forms are judged by the IPv4
 * address inside them):
 *   public                          always allowed
 *   loopback, private (RFC 1918,    allowed only with WEBHOOKS_ALLOW_PRIVATE=true (the self-hoster's
 *   CGNAT 100.64/10, ULA fc00::/7)  opt-in, e.g. a receiver on the same LAN)
 *   link-local (169.254/16,         never: cloud metadata services live there
 *   fe80::/10), metadata hosts,
 *   unspecified, multicast,
 *   broadcast/reserved/documentation
 * Plain http:// is accepted only with the same opt-in; URLs with credentials are refused.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link_local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (injectable so tests can play a rebinding DNS). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** Instance-metadata endpoints: refused even when private targets are allowed. */
const METADATA = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '168.63.129.16', 'fd00:ec2::254']);

type V4Range = [number, number, number, number, number, AddressClass];
const V4_RANGES: V4Range[] = [
  [0, 0, 0, 0, 8, 'unspecified'],
  [10, 0, 0, 0, 8, 'private'],
  [100, 64, 0, 0, 10, 'private'],
  [127, 0, 0, 0, 8, 'loopback'],
  [169, 254, 0, 0, 16, 'link_local'],
  [172, 16, 0, 0, 12, 'private'],
  [192, 0, 0, 0, 24, 'reserved'],
  [192, 0, 2, 0, 24, 'reserved'],
  [192, 168, 0, 0, 16, 'private'],
  [198, 18, 0, 0, 15, 'reserved'],
  [198, 51, 100, 0, 24, 'reserved'],
  [203, 0, 113, 0, 24, 'reserved'],
  [224, 0, 0, 0, 4, 'multicast'],
  [240, 0, 0, 0, 4, 'reserved'],
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function classifyV4(ip: string): AddressClass {
  if (METADATA.has(ip)) return 'metadata';
  const n = v4ToInt(ip);
  for (const [a, b, c, d, bits, cls] of V4_RANGES) {
    const base = ((a * 256 + b) * 256 + c) * 256 + d;
    const size = 2 ** (32 - bits);
    if (n >= base && n < base + size) return cls;
  }
  return 'public';
}

/** Eight 16-bit groups of an IPv6 address (zone id dropped), or null if it does not parse. */
export function ipv6Groups(ip: string): number[] | null {
  let s = ip.toLowerCase().replace(/%.*$/, '');
  // A trailing dotted quad (::ffff:127.0.0.1) becomes its two hex groups.
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    if (isIP(dotted[1]!) !== 4) return null;
    const n = v4ToInt(dotted[1]!);
    s = `${s.slice(0, dotted.index + 1)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const total = head.length + rest.length;
  let groups: number[];
  if (halves.length === 2) {
    if (total > 7) return null;
    groups = [...head, ...new Array<number>(8 - total).fill(0), ...rest];
  } else {
    if (total !== 8) return null;
    groups = head;
  }
  return groups.some((g) => Number.isNaN(g)) ? null : groups;
}

function v4FromGroups(hi: number, lo: number): string {
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

function classifyV6(ip: string): AddressClass {
  const g = ipv6Groups(ip);
  if (!g) return 'reserved';
  const canonical = g.map((x) => x.toString(16)).join(':');
  if (METADATA.has(ip.toLowerCase()) || canonical === 'fd00:ec2:0:0:0:0:0:254') return 'metadata';
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): the IPv4 inside decides.
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) return classifyV4(v4FromGroups(g[6]!, g[7]!));
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return classifyV4(v4FromGroups(g[6]!, g[7]!));
  if (g[0] === 0x2002) return classifyV4(v4FromGroups(g[1]!, g[2]!)); // 6to4
  const first = g[0]!;
  if ((first & 0xffc0) === 0xfe80) return 'link_local';
  if ((first & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((first & 0xfe00) === 0xfc00) return 'private'; // ULA
  if ((first & 0xff00) === 0xff00) return 'multicast';
  if (first === 0x2001 && g[1] === 0x0db8) return 'reserved'; // documentation
  if (first === 0x0100 && zeros(1, 4)) return 'reserved'; // discard-only
  return 'public';
}

export function classifyAddress(ip: string): AddressClass {
  const bare = ip.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) return classifyV4(bare);
  if (family === 6) return classifyV6(bare);
  return 'reserved';
}

/** Why an address may not be a webhook target, or null when it may. */
export function refusalFor(ip: string, allowPrivate: boolean): string | null {
  const cls = classifyAddress(ip);
  if (cls === 'public') return null;
  if ((cls === 'loopback' || cls === 'private') && allowPrivate) return null;
  const what: Record<Exclude<AddressClass, 'public'>, string> = {
    loopback: 'a loopback address',
    private: 'a private-network address',
    link_local: 'a link-local address',
    metadata: 'a cloud metadata address',
    unspecified: 'an unspecified address',
    multicast: 'a multicast address',
    reserved: 'a reserved address',
  };
  const hint = cls === 'loopback' || cls === 'private' ? ' (a self-hoster can allow private targets with WEBHOOKS_ALLOW_PRIVATE=true)' : '';
  return `${ip} is ${what[cls]}${hint}`;
}

export class TargetRefused extends Error {
  override readonly name = 'TargetRefused';
}

export interface CheckedTarget {
  url: URL;
  /** The addresses that passed; the delivery connects to these and nothing else. */
  addresses: ResolvedAddress[];
}

/** Parses and checks a webhook URL without DNS (shape, scheme, credentials). Throws TargetRefused. */
export function checkUrlShape(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused('not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetRefused('the URL must start with https://');
  if (url.protocol === 'http:' && !allowPrivate) throw new TargetRefused('the URL must use https:// (plain http:// needs WEBHOOKS_ALLOW_PRIVATE=true on the server)');
  if (url.username || url.password) throw new TargetRefused('the URL must not contain a user name or password');
  if (!url.hostname) throw new TargetRefused('the URL has no host');
  return url;
}

/**
 * Checks a URL and every address its host resolves to right now. One refused address refuses
 * the whole target (a name that resolves to a public and a private address is a rebinding trick).
 */
export async function checkTarget(raw: string, allowPrivate: boolean, resolve: Resolver = systemResolver): Promise<CheckedTarget> {
  const url = checkUrlShape(raw, allowPrivate);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (err) {
      throw new TargetRefused(`the host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'DNS error'})`);
    }
    if (addresses.length === 0) throw new TargetRefused(`the host ${host} does not resolve`);
  }
  for (const a of addresses) {
    const refusal = refusalFor(a.address, allowPrivate);
    if (refusal) throw new TargetRefused(isIP(host) ? refusal : `${host} resolves to ${refusal}`);
  }
  return { url, addresses };
}

/**
 * A `lookup` for http(s).request that answers with the already-checked addresses: the socket
 * connects to what was checked, and the name is never resolved again between check and connect.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    const family = options?.family === 4 || options?.family === 6 ? options.family : 0;
    const usable = addresses.filter((a) => family === 0 || a.family === family);
    if (usable.length === 0) {
      const err = Object.assign(new Error('no checked address of the requested family'), { code: 'ENOTFOUND' });
      callback(err, options?.all ? [] : '', 0);
      return;
    }
    if (options?.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, usable[0]!.address, usable[0]!.family);
  }) as LookupFunction;
}
