/**
 * Issue 11 for the shell client — deletions propagate, restorably (scenario 11), and never from
 * a missing card or a mass vanishing: busybox sh against a real server.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONION_SAVES, pairDevice, type User } from './devices.js';
import { newUser, startServer, type RunningServer } from './server.js';

let server: RunningServer;
let user: User;
beforeAll(async () => {
  server = await startServer();
  user = await newUser(server.url, `loss-del-${Date.now()}@example.com`);
}, 60_000);
afterAll(async () => server?.stop());

const gba = (game: string) => `${ONION_SAVES}/gpSP/${game}.srm`;
const ago = (s: number) => new Date(Date.now() - s * 1000);
const head = async (key: string) => (await user.versions(key)).find((v) => v.head);

describe('issue 11 scenario 11: deletions propagate, restorably', () => {
  it('a save deleted here while in sync becomes a deletion on the server; the other device moves its copy to backups', async () => {
    const a = await pairDevice(user, server.url, 'Deletes');
    const b = await pairDevice(user, server.url, 'Follows');
    a.write(gba('Gone Here'), 'delete me', ago(60));
    a.write(gba('Stays'), 'keep me', ago(60));
    expect((await a.once()).status).toBe(0);
    expect((await b.once()).status).toBe(0);
    rmSync(a.file(gba('Gone Here')));
    const r = await a.once();
    expect(r.status, r.stderr + a.log()).toBe(0);
    const h = await head('gba/Gone Here/battery');
    expect(h?.deleted).toBe(true);
    // The bytes stay in the server's history.
    expect((await user.versions('gba/Gone Here/battery')).some((v) => !v.deleted)).toBe(true);
    expect((await b.once()).status).toBe(0);
    expect(existsSync(b.file(gba('Gone Here')))).toBe(false);
    expect(b.backups()).toContain('delete me');
    expect(b.read(gba('Stays'))).toBe('keep me');
    // Settled: later passes neither bring it back nor add versions.
    const n = (await user.versions('gba/Gone Here/battery')).length;
    for (const d of [a, b, a]) expect((await d.once()).status).toBe(0);
    expect(existsSync(a.file(gba('Gone Here')))).toBe(false);
    expect(await user.versions('gba/Gone Here/battery')).toHaveLength(n);
  });

  it('a save deleted here after another device changed it comes back (a modification beats a deletion)', async () => {
    const a = await pairDevice(user, server.url, 'Deletes late');
    const b = await pairDevice(user, server.url, 'Edits');
    a.write(gba('Contested'), 'v1 v1', ago(120));
    expect((await a.once()).status).toBe(0);
    expect((await b.once()).status).toBe(0);
    b.write(gba('Contested'), 'v2 b!', ago(30));
    expect((await b.once()).status).toBe(0);
    rmSync(a.file(gba('Contested')));
    const r = await a.once();
    expect(r.status, r.stderr + a.log()).toBe(0);
    expect(a.read(gba('Contested'))).toBe('v2 b!');
    expect((await head('gba/Contested/battery'))?.deleted).toBe(false);
    expect((await user.save('gba/Contested/battery'))?.toString()).toBe('v2 b!');
  });
});

describe('upgrading from the previous shell client', () => {
  it('its state (six columns, key as sent) is migrated and the whole feed read once, so a deletion still propagates', async () => {
    const d = await pairDevice(user, server.url, 'Upgraded');
    d.write(gba('Old State'), 'from before', ago(60));
    expect((await d.once()).status).toBe(0);
    // What the previous client left: key as sent, version, sha256, size, mtime, path; a cursor; no heads.
    const state = join(d.home, 'state.tsv');
    writeFileSync(state, readFileSync(state, 'utf8').split('\n').filter(Boolean).map((l) => { const f = l.split('\t'); return [f[7], ...f.slice(1, 6)].join('\t'); }).join('\n') + '\n');
    rmSync(join(d.home, 'heads.tsv'));
    expect(existsSync(join(d.home, 'cursor'))).toBe(true);
    rmSync(d.file(gba('Old State')));
    const first = await d.once();
    expect(first.status).toBe(1);
    expect(first.stdout).toMatch(/deletions held: the server's heads are not known yet/);
    const r = await d.once();
    expect(r.status, r.stdout + d.log()).toBe(0);
    expect((await head('gba/Old State/battery'))?.deleted).toBe(true);
    expect(readFileSync(state, 'utf8')).toMatch(/^gba\/old%20state\/battery\t/m);
  });
});

describe('issue 11 scenario 11: a missing card or a mass vanishing is never read as deletions', () => {
  async function synced(name: string, games: string[], folder = 'gpSP') {
    const d = await pairDevice(user, server.url, name);
    for (const g of games) d.write(`${ONION_SAVES}/${folder}/${g}.srm`, `save of ${g}`, ago(60));
    expect((await d.once()).status).toBe(0);
    return d;
  }
  const live = async (key: string) => (await head(key))?.deleted === false;

  it('more than 5 saves vanishing in one pass: nothing is deleted, and the pass says why', async () => {
    const games = ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7'].map((g) => `Mass ${g}`);
    const d = await synced('Mass', [...games, 'Mass Keeper']);
    for (const g of games) rmSync(d.file(gba(g)));
    const r = await d.once();
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/deletions held: 7 saves vanished at once/);
    for (const g of games) expect(await live(`gba/${g}/battery`)).toBe(true);
    expect(d.log()).toMatch(/deletions held/);
    // Still held on the next pass (never "in sync" while they are neither deleted nor back).
    expect((await d.once()).stdout).toMatch(/deletions held/);
    // The player meant it and deletes them on the server: the next pass records that and settles.
    for (const g of games) {
      const v = (await head(`gba/${g}/battery`))?.version;
      const del = await fetch(`${server.url}/api/sync/saves/gba/${encodeURIComponent(g)}/battery`, { method: 'DELETE', headers: { 'x-api-key': d.apiKey(), 'x-base-version': String(v) } });
      expect(del.status).toBe(200);
    }
    const settled = await d.once();
    expect(settled.status, settled.stdout + d.log()).toBe(0);
    expect(settled.stdout).toMatch(/in sync/);
  });

  it('more than half of a folder vanishing: nothing is deleted', async () => {
    const d = await synced('Half', ['Half A', 'Half B', 'Half C'], 'Snes9x');
    rmSync(d.file(`${ONION_SAVES}/Snes9x/Half A.srm`));
    rmSync(d.file(`${ONION_SAVES}/Snes9x/Half B.srm`));
    const r = await d.once();
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/deletions held: 2 of the 3 saves in .*Snes9x vanished/);
    expect(await live('snes/Half A/battery')).toBe(true);
    expect(await live('snes/Half B/battery')).toBe(true);
  });

  it('a missing save folder (card not mounted): nothing is deleted and nothing is written there', async () => {
    const d = await synced('Unmounted', ['Card One', 'Card Two']);
    const other = await pairDevice(user, server.url, 'Keeps playing');
    other.write(gba('Arrives Meanwhile'), 'new elsewhere', ago(60));
    expect((await other.once()).status).toBe(0);
    rmSync(d.file('/mnt/SDCARD/Saves'), { recursive: true });
    const r = await d.once();
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/deletions held: folder .* is missing/);
    expect(await live('gba/Card One/battery')).toBe(true);
    expect(await live('gba/Card Two/battery')).toBe(true);
    expect(existsSync(d.file('/mnt/SDCARD/Saves'))).toBe(false);
  });
});
