/**
 * The SSRF guard: which addresses a webhook may reach, in every spelling an attacker might use, and
 * that a delivery connects only to addresses checked at that moment (DNS rebinding).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sendWebhook } from './sender.js';
import { checkTarget, classifyAddress, ipv6Groups, refusalFor, TargetRefused, type Resolver } from './ssrf.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['169.254.10.1', 'link_local'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fc00::1', 'private'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    // IPv4-mapped, -compatible, NAT64 and 6to4 spellings are judged by the IPv4 address inside.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::ffff:10.0.0.1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['::ffff:8.8.8.8', 'public'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it('parses IPv6 forms into eight groups', () => {
    expect(ipv6Groups('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(ipv6Groups('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ipv6Groups('1:::2')).toBeNull();
    expect(ipv6Groups('1:2:3:4:5:6:7:8:9')).toBeNull();
  });
});

describe('refusalFor', () => {
  it('allows loopback and private targets only with the opt-in; link-local, metadata, multicast never', () => {
    expect(refusalFor('127.0.0.1', false)).toMatch(/loopback.*WEBHOOKS_ALLOW_PRIVATE/);
    expect(refusalFor('127.0.0.1', true)).toBeNull();
    expect(refusalFor('192.168.1.5', true)).toBeNull();
    expect(refusalFor('fd00::5', true)).toBeNull();
    for (const ip of ['169.254.169.254', 'fe80::1', '::ffff:169.254.169.254', 'fd00:ec2::254', '0.0.0.0', '::', '224.0.0.251']) {
      expect(refusalFor(ip, true), ip).not.toBeNull();
    }
    expect(refusalFor('93.184.216.34', false)).toBeNull();
  });
});

describe('checkTarget', () => {
  const refuse = (url: string, allowPrivate: boolean, resolve?: Resolver) => expect(checkTarget(url, allowPrivate, resolve)).rejects.toBeInstanceOf(TargetRefused);
  const dns = (table: Record<string, string[]>): Resolver => async (host) => {
    const list = table[host];
    if (!list) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  it('refuses literal loopback, metadata, link-local and IPv6 forms of them in URLs', async () => {
    for (const url of [
      'https://127.0.0.1/hook',
      'https://2130706433/hook', // decimal 127.0.0.1: the URL parser makes it 127.0.0.1
      'https://0x7f.1/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/hook',
      'https://[fe80::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[::ffff:169.254.169.254]/hook',
      'https://[0:0:0:0:0:ffff:7f00:1]/hook',
      'https://0.0.0.0/hook',
      'https://10.0.0.8/hook',
    ]) {
      await refuse(url, false);
    }
    // With the opt-in, loopback is allowed; metadata and link-local still are not.
    await expect(checkTarget('http://127.0.0.1:9/hook', true)).resolves.toMatchObject({ addresses: [{ address: '127.0.0.1' }] });
    await refuse('http://169.254.169.254/', true);
    await refuse('http://[fe80::1]/', true);
    await refuse('http://[::ffff:a9fe:a9fe]/', true);
  });

  it('refuses a host name that resolves to a private address (any one of several)', async () => {
    const resolve = dns({ 'evil.example': ['10.0.0.5'], 'mixed.example': ['93.184.216.34', '127.0.0.1'], 'ok.example': ['93.184.216.34'] });
    await expect(checkTarget('https://evil.example/x', false, resolve)).rejects.toThrow(/evil\.example resolves to 10\.0\.0\.5 is a private-network address/);
    await refuse('https://mixed.example/x', false, resolve);
    await refuse('https://nowhere.example/x', false, resolve);
    await expect(checkTarget('https://ok.example/x', false, resolve)).resolves.toMatchObject({ addresses: [{ address: '93.184.216.34', family: 4 }] });
    // The real resolver: localhost is loopback.
    await refuse('https://localhost/x', false);
  });

  it('needs https unless private targets are allowed, and no credentials in the URL', async () => {
    await expect(checkTarget('http://93.184.216.34/x', false)).rejects.toThrow(/https/);
    await refuse('ftp://93.184.216.34/x', true);
    await refuse('https://user:pw@93.184.216.34/x', false);
    await refuse('not a url', false);
  });
});

describe('sendWebhook and DNS rebinding', () => {
  it('re-checks at delivery: a name that now resolves to loopback is refused and nothing connects', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      // At creation the name looked public; now it answers 127.0.0.1.
      const rebound: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
      const refused = await sendWebhook({ url: `https://hooks.example:${port}/x`, body: '{}', headers: {}, timeoutMs: 2000, maxResponseBytes: 1024, allowPrivate: false, resolve: rebound });
      expect(refused).toMatchObject({ ok: false, statusCode: null });
      expect(refused.error).toMatch(/^refused: .*127\.0\.0\.1 is a loopback address/);
      expect(hits).toBe(0);
    } finally {
      server.close();
    }
  });

  it('connects to the checked address, not to what the name resolves to at connect time', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers.host));
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    let calls = 0;
    // The resolver is consulted exactly once per attempt: the socket uses that answer (pinned).
    const resolve: Resolver = async () => {
      calls++;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    try {
      const res = await sendWebhook({ url: `http://receiver.test:${port}/x`, body: '{}', headers: {}, timeoutMs: 2000, maxResponseBytes: 1024, allowPrivate: true, resolve });
      expect(res).toMatchObject({ ok: true, statusCode: 200, error: null });
      expect(calls).toBe(1);
      expect(seen).toEqual([`receiver.test:${port}`]);
    } finally {
      server.close();
    }
  });

  it('does not follow redirects, caps the response, and times out', async () => {
    let slowHits = 0;
    const server = createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        return res.end();
      }
      if (req.url === '/huge') {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 120);
        const pump = () => {
          while (res.write(chunk)) if (res.writableLength > 4 * 1024 * 1024) break;
        };
        pump();
        res.on('drain', pump);
        res.on('close', () => undefined);
        return;
      }
      slowHits++; // /slow: never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const base = { body: '{}', headers: {}, maxResponseBytes: 64 * 1024, allowPrivate: true };
    try {
      const redirect = await sendWebhook({ ...base, url: `http://127.0.0.1:${port}/redirect`, timeoutMs: 2000 });
      expect(redirect).toMatchObject({ ok: false, statusCode: 302 });
      expect(redirect.error).toMatch(/redirect to http:\/\/169\.254\.169\.254\/latest\/meta-data\/ not followed/);
      const huge = await sendWebhook({ ...base, url: `http://127.0.0.1:${port}/huge`, timeoutMs: 5000 });
      expect(huge).toMatchObject({ ok: true, statusCode: 200 });
      const slow = await sendWebhook({ ...base, url: `http://127.0.0.1:${port}/slow`, timeoutMs: 300 });
      expect(slow).toMatchObject({ ok: false, statusCode: null, error: 'timed out after 300 ms' });
      expect(slow.durationMs).toBeGreaterThanOrEqual(290);
      expect(slowHits).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
