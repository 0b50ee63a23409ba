import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileLogger } from './log.js';

describe('retrosync.log', () => {
  it('rotates at the size limit and keeps N generations, mode 0600', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rs-log-')), 'retrosync.log');
    const log = fileLogger(file, { maxBytes: 200, keep: 2 });
    for (let i = 0; i < 20; i++) log.info(`line ${i} ${'x'.repeat(40)}`);
    expect(statSync(file).size).toBeLessThanOrEqual(200);
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(existsSync(`${file}.2`)).toBe(true);
    expect(existsSync(`${file}.3`)).toBe(false);
    expect(readFileSync(file, 'utf8')).toMatch(/INFO line 19 /);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
