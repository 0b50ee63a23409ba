/**
 * `retrosync pair` without --server finds the server by LAN discovery (docs/discovery.md): the
 * server's real discovery responder on a free UDP port, probed over the loopback broadcast.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDiscovery, type DiscoveryResponder } from '../../packages/server/src/discovery/lan-discovery.js';
import { makeClient, startServer, type RunningServer } from './harness.js';
import { freeUdpPort } from '../../packages/server/src/test-support/ports.js';

let server: RunningServer;
const responders: DiscoveryResponder[] = [];
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await Promise.all(responders.map((r) => r.close()));
  await server?.close();
});

it('pairs with the one server that answers, and says so when none answers', async () => {
  const udp = await freeUdpPort();
  const c = makeClient('discover', ['mnt/SDCARD/Saves']);
  Object.assign(c.env, { RETROSYNC_DISCOVERY_PORT: String(udp), RETROSYNC_DISCOVERY_ADDRS: '127.255.255.255' });

  const none = await c.cli('pair', await server.pairingCode(), '--platform', 'minui', '--root', c.root);
  expect(none.status).not.toBe(0);
  expect(none.stderr).toMatch(/no RetroSync server answered on the local network; give --server URL/);

  const port = Number(new URL(server.url).port);
  responders.push(await startDiscovery({ port: udp, name: 'Den', httpPort: port, version: '0.1.0' }));
  const r = await c.cli('pair', await server.pairingCode(), '--platform', 'minui', '--root', c.root, '--name', 'Found');
  expect(r.stderr).toMatch(/Found "Den" at http:\/\/127\.0\.0\.1:\d+/);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain(`Paired "Found"`);
  expect(r.stdout).toContain(server.url);
}, 60_000);
