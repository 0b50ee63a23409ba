/**
 * One syncing process per RETROSYNC_HOME: `sync`, `daemon` and `restore` take `sync.lock`
 * (holding the owner's pid) so two processes never write the same state file or the same
 * saves at once. A lock whose process is gone is taken over.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

export class LockedError extends Error {
  override readonly name = 'LockedError';
  constructor(readonly pid: number) {
    super(`another retrosync process (pid ${pid}) is syncing this device; the daemon syncs by itself — or stop it first`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Lock {
  release(): Promise<void>;
}

export async function acquireLock(home: string): Promise<Lock> {
  const file = join(home, 'sync.lock');
  await fsp.mkdir(home, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fsp.writeFile(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return { release: () => fsp.rm(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(await fsp.readFile(file, 'utf8').catch(() => ''));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new LockedError(pid);
      await fsp.rm(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`cannot take ${file}; remove it if no retrosync process is running`);
}
