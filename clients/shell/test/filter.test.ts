/**
 * Selective sync as the shell client decides it (lib/filter.awk under busybox), against the shared
 * vectors packages/core/vectors/sync-filter.json — the cases core's filterAllows passes. Each
 * filter runs twice: as the server sends it (percent-encoded games) and as the shell client writes
 * its local filter from the config file (plain game names).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSyncFilter, encodeSaveKeyPath, filterToTsv, type SyncFilter } from '@retrosync/core';
import { expect, it } from 'vitest';
import { REPO, runSh, tempRoot } from './busybox-env.js';

interface Vectors { filters: Record<string, SyncFilter>; cases: { filters: string[]; key: string; sync: boolean; note?: string }[] }
const v = JSON.parse(readFileSync(join(REPO, 'packages/core/vectors/sync-filter.json'), 'utf8')) as Vectors;

function localTsv(f: SyncFilter): string {
  const lines = [`system_mode\t${f.systemMode}`, `states\t${f.states ? 1 : 0}`, ...f.systems.map((s) => `system\t${s}`)];
  for (const g of f.includeGames) lines.push(`include_game_raw\t${g}`);
  for (const g of f.excludeGames) lines.push(`exclude_game_raw\t${g}`);
  return `${lines.join('\n')}\n`;
}

for (const form of ['server', 'local'] as const) {
  it(`sync filter: ${v.cases.length} shared vectors under busybox awk (${form} form)`, () => {
    expect(v.cases.length).toBeGreaterThan(25);
    const dir = tempRoot('rs-filter-');
    const file = (name: string) => {
      const path = join(dir, `${name}.tsv`);
      const f = checkSyncFilter(v.filters[name]!);
      writeFileSync(path, form === 'server' ? filterToTsv(f, { revision: 7 }) : localTsv(f));
      return path;
    };
    const bad: string[] = [];
    for (const c of v.cases) {
      const r = runSh('test/filter-driver.sh', c.filters.map(file), { input: `${encodeSaveKeyPath(c.key)}\n` });
      expect(r.stderr).toBe('');
      const got = r.stdout.trimEnd().split('\t').pop();
      if (got !== (c.sync ? '1' : '0')) bad.push(`${c.filters.join('+')} ${c.key}: got ${got}, want ${c.sync} (${c.note ?? ''})`);
    }
    expect(bad).toEqual([]);
  }, 120_000);
}
