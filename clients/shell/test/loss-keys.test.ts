/**
 * Issue 11 for the shell client — flat save folders (scenario 4) and keys that differ only in
 * case or white space (scenario 5): busybox sh against a real server.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONION_SAVES, pairDevice, type User } from './devices.js';
import { newUser, startServer, type RunningServer } from './server.js';

let server: RunningServer;
let user: User;
beforeAll(async () => {
  server = await startServer();
  user = await newUser(server.url, `loss-keys-${Date.now()}@example.com`);
}, 60_000);
afterAll(async () => server?.stop());

const ago = (s: number) => new Date(Date.now() - s * 1000);

// EmuDeck: RetroArch's saves in one flat folder, so Tetris.srm is whichever Tetris ran last.
const EMU = '/home/user/Emulation';
const FLAT = `${EMU}/saves/retroarch/saves`;
const deck = (extra: Record<string, string> = {}) => ({ [`${EMU}/roms/nes/Tetris.nes`]: 'nes rom', [`${FLAT}/`]: '', ...extra });

async function putSave(apiKey: string, key: string, body: string, mtime: number) {
  const r = await fetch(`${server.url}/api/sync/saves/${key.split('/').map(encodeURIComponent).join('/')}`, {
    method: 'PUT',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/octet-stream', 'x-content-sha256': createHash('sha256').update(body).digest('hex'), 'x-file-mtime': String(mtime) },
    body,
  });
  expect(r.status).toBe(200);
}

describe('issue 11 scenario 4: a flat save folder never mixes two games', () => {
  let gbKey: string;
  beforeAll(async () => {
    const gbPlayer = await pairDevice(user, server.url, 'GB player');
    gbKey = gbPlayer.apiKey();
    await putSave(gbKey, 'gb/Tetris/battery', 'GB TETRIS SAVE', Date.now() - 3600_000);
  });

  it('the remote GB save is not written onto the NES game\'s Tetris.srm; it is skipped and reported', async () => {
    const d = await pairDevice(user, server.url, 'Deck', deck({ [`${FLAT}/Tetris.srm`]: 'NES TETRIS SAVE' }), {}, ['--platform', 'emudeck']);
    const r = await d.once();
    expect(r.status, r.stderr + d.log()).toBe(1);
    expect(r.stdout).toMatch(/skipped gb\/Tetris\/battery: .*Tetris\.srm is the save nes\/Tetris\/battery/);
    expect(d.log()).toMatch(/skipped gb\/Tetris\/battery version 1: .*flat save folder/);
    expect(d.read(`${FLAT}/Tetris.srm`)).toBe('NES TETRIS SAVE');
    expect((await user.save('gb/Tetris/battery'))?.toString()).toBe('GB TETRIS SAVE');
    expect((await user.save('nes/Tetris/battery'))?.toString()).toBe('NES TETRIS SAVE');
    // Still reported on the next pass, and still nothing overwritten.
    const again = await d.once();
    expect(again.status).toBe(1);
    expect(again.stdout).toMatch(/skipped gb\/Tetris\/battery/);
    expect(d.read(`${FLAT}/Tetris.srm`)).toBe('NES TETRIS SAVE');
  });

  it('nor is it placed where the scan would read it back as the NES save (and upload it as such)', async () => {
    const d = await pairDevice(user, server.url, 'Deck without a save', deck(), {}, ['--platform', 'emudeck']);
    const r = await d.once();
    expect(r.status, r.stderr + d.log()).toBe(1);
    expect(existsSync(d.file(`${FLAT}/Tetris.srm`)) ? d.read(`${FLAT}/Tetris.srm`) : null).not.toBe('GB TETRIS SAVE');
    await d.once();
    const nes = await user.versions('nes/Tetris/battery');
    expect(nes.filter((v) => v.sha256 === createHash('sha256').update('GB TETRIS SAVE').digest('hex'))).toEqual([]);
  });
});

describe('issue 11 scenario 5: keys that differ only in case converge on one file', () => {
  it('a device holding "pokemon emerald.srm" takes the server\'s "Pokemon Emerald" into that file, and stays in sync', async () => {
    const a = await pairDevice(user, server.url, 'Upper case');
    const b = await pairDevice(user, server.url, 'Lower case');
    a.write(`${ONION_SAVES}/gpSP/Pokemon Emerald.srm`, 'from A, newer', ago(60));
    expect((await a.once()).status).toBe(0);
    b.write(`${ONION_SAVES}/gpSP/pokemon emerald.srm`, 'from B, older', ago(3600));
    const r = await b.once();
    expect(r.status, r.stderr + b.log()).toBe(0);
    expect(readdirSync(b.file(`${ONION_SAVES}/gpSP`)).filter((f) => !f.startsWith('.'))).toEqual(['pokemon emerald.srm']);
    expect(b.read(`${ONION_SAVES}/gpSP/pokemon emerald.srm`)).toBe('from A, newer');
    const n = (await user.versions('gba/Pokemon Emerald/battery')).length;
    for (let i = 0; i < 2; i++) {
      const again = await b.once();
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/in sync/);
    }
    expect(await user.versions('gba/Pokemon Emerald/battery')).toHaveLength(n);

    a.write(`${ONION_SAVES}/gpSP/Pokemon Emerald.srm`, 'A plays on', ago(30));
    expect((await a.once()).status).toBe(0);
    expect((await b.once()).status).toBe(0);
    expect(b.read(`${ONION_SAVES}/gpSP/pokemon emerald.srm`)).toBe('A plays on');
    expect(readdirSync(b.file(`${ONION_SAVES}/gpSP`)).filter((f) => !f.startsWith('.'))).toEqual(['pokemon emerald.srm']);
  });
});
