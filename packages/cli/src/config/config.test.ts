import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadConfigError, loadConfig, NotPairedError, saveConfig } from './config.js';

const config = {
  server: 'http://127.0.0.1:3000',
  deviceId: 'd1',
  deviceName: 'Deck',
  apiKey: 'f'.repeat(64),
  platform: 'retroarch_linux',
  roots: ['/'],
  vars: {},
  romRoots: [],
  backups: { maxEntries: 10, maxAgeDays: 7 },
  rescanSeconds: 300,
  pairedAt: '2026-11-25T00:00:00.000Z',
};

describe('config.json', () => {
  it('round-trips and is readable by the owner only', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rs-cfg-')), 'home', 'config.json');
    await saveConfig(file, config);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await loadConfig(file)).toEqual(config);
  });

  it('says how to pair when missing, and how to recover when broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-cfg-'));
    await expect(loadConfig(join(dir, 'config.json'))).rejects.toThrow(NotPairedError);
    await expect(loadConfig(join(dir, 'config.json'))).rejects.toThrow(/retrosync pair <code> --server <url>/);
    writeFileSync(join(dir, 'bad.json'), '{"server": "not a url"}');
    await expect(loadConfig(join(dir, 'bad.json'))).rejects.toThrow(BadConfigError);
    await expect(loadConfig(join(dir, 'bad.json'))).rejects.toThrow(/server.*run retrosync unpair and pair again/);
  });
});
