/**
 * HTTPS deliveries with a pinned address: the socket goes to the address that was checked, while
 * TLS still speaks to and verifies the host name (SNI = the URL's host, certificate checked —
 * a self-signed one is refused). Needs `openssl` to make a throwaway certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendWebhook } from './sender.js';

function makeCert(): { key: string; cert: string } | null {
  try {
    const dir = mkdtempSync(join(tmpdir(), 'rs-webhook-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=receiver.test', '-addext', 'subjectAltName=DNS:receiver.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return null;
  }
}

const pair = makeCert();
if (!pair) console.log('sender-tls: skipped, openssl is not installed');

describe.skipIf(!pair)('HTTPS delivery to a pinned address', () => {
  it('sends SNI for the host name to the checked address and refuses an untrusted certificate', async () => {
    const servernames: string[] = [];
    let connections = 0;
    let requests = 0;
    const context = createSecureContext(pair!);
    const server = createServer({ ...pair!, SNICallback: (name, cb) => (servernames.push(name), cb(null, context)) }, (_req, res) => {
      requests++;
      res.end('ok');
    });
    server.on('tlsClientError', () => undefined);
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const result = await sendWebhook({
        url: `https://receiver.test:${port}/hook`,
        body: '{}',
        headers: {},
        timeoutMs: 3000,
        maxResponseBytes: 1024,
        allowPrivate: true,
        resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      });
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/self[- ]signed certificate/i);
      expect(requests).toBe(0);
      expect(connections).toBe(1); // the socket reached the pinned 127.0.0.1 …
      expect(servernames).toEqual(['receiver.test']); // … and TLS named the URL's host
    } finally {
      server.close();
    }
  });
});
