import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/dispatch.js';
import { fakeIo } from '../../cli/test-support/io.js';

function device() {
  const base = mkdtempSync(join(tmpdir(), 'rs-status-'));
  const home = join(base, 'home');
  const root = join(base, 'root');
  const saves = join(root, 'mnt/SDCARD/Saves/CurrentProfile/saves');
  mkdirSync(join(saves, 'gpSP'), { recursive: true });
  mkdirSync(join(saves, 'Gambatte'), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ server: 'http://127.0.0.1:9', deviceId: 'd1', deviceName: 'Mini', apiKey: 'a'.repeat(64), platform: 'onion', roots: [root], pairedAt: '2026-11-25T00:00:00Z' }));
  return { home, saves, io: { ...fakeIo(), env: { RETROSYNC_HOME: home } } };
}

describe('retrosync status', () => {
  it('lists new saves as pending and files identity cannot place, without the server', async () => {
    const d = device();
    writeFileSync(join(d.saves, 'gpSP/Pokemon Emerald.sav'), 'x');
    writeFileSync(join(d.saves, 'Gambatte/Link Awakening.srm'), 'y'.repeat(32768));
    writeFileSync(join(d.saves, 'gpSP/.DS_Store'), '');
    expect(await run(['status', '--json'], d.io)).toBe(0);
    const s = JSON.parse(d.io.stdout.join('\n'));
    expect(s).toMatchObject({ server: 'http://127.0.0.1:9', device: { name: 'Mini', platform: 'onion' }, lastSyncAt: null, synced: 0 });
    expect(s.pending.newFiles).toEqual([join(d.saves, 'gpSP/Pokemon Emerald.sav')]);
    expect(s.pending.unclear).toEqual([{ path: join(d.saves, 'Gambatte/Link Awakening.srm'), reason: expect.stringMatching(/gb, gbc/) }]);

    const human = device();
    writeFileSync(join(human.saves, 'Gambatte/Link Awakening.srm'), 'y'.repeat(32768));
    expect(await run(['status'], human.io)).toBe(0);
    const text = human.io.stdout.join('\n');
    expect(text).toMatch(/^last sync\s+never — run retrosync sync$/m);
    expect(text).toMatch(/^not synced\s+1 file\(s\) identity cannot place \(put the ROM on the device/m);
  });

  it('tells an unpaired device how to pair', async () => {
    const io = { ...fakeIo(), env: { RETROSYNC_HOME: mkdtempSync(join(tmpdir(), 'rs-status-none-')) } };
    expect(await run(['status'], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/not paired.*retrosync pair <code> --server <url>/);
  });
});
