import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, LockedError } from './lock.js';

describe('sync.lock', () => {
  it('lets one process sync a home at a time and takes over a stale lock', async () => {
    const home = mkdtempSync(join(tmpdir(), 'rs-lock-'));
    writeFileSync(join(home, 'sync.lock'), String(process.ppid)); // a live process that is not us
    await expect(acquireLock(home)).rejects.toThrow(LockedError);
    writeFileSync(join(home, 'sync.lock'), '999999999'); // no such process
    const lock = await acquireLock(home);
    await lock.release();
    const again = await acquireLock(home);
    await again.release();
  });
});
