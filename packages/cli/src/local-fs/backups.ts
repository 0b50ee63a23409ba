/**
 * `backups/` in RETROSYNC_HOME: every local file the client replaces or removes is copied here
 * first, one folder per backup (`<time>-<reason>-<rand>/<file name>` plus `origin.json`), pruned
 * to a retention limit (count and age), oldest first.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';

export interface Retention {
  maxEntries: number;
  maxAgeDays: number;
}

export const DEFAULT_RETENTION: Retention = { maxEntries: 200, maxAgeDays: 30 };

export interface BackupInfo {
  dir: string;
  file: string;
  origin: string;
  key: string | null;
  reason: string;
  createdAt: string;
}

/** Folder names start with the ISO time, `:` and `.` replaced: 2026-11-25T13-31-59-317Z-… */
const STAMP_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z-/;

function stampOf(name: string): number {
  const m = STAMP_RE.exec(name);
  return m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : Number.POSITIVE_INFINITY;
}

export class Backups {
  constructor(
    readonly root: string,
    private readonly retention: Retention = DEFAULT_RETENTION,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps a copy of `bytes` (the file at `origin`) before it is replaced; returns the copy's path. */
  async keep(origin: string, bytes: Uint8Array, reason: string, key: string | null): Promise<string> {
    const at = new Date(this.now());
    const stamp = at.toISOString().replace(/[:.]/g, '-');
    const dir = join(this.root, `${stamp}-${reason}-${randomBytes(3).toString('hex')}`);
    await fsp.mkdir(dir, { recursive: true });
    const file = join(dir, basename(origin));
    // No fsync: the engine only replaces bytes the server also holds (the synced version, or
    // the conflict version it just uploaded), so a backup lost to a crash loses nothing.
    await fsp.writeFile(file, bytes, { flag: 'wx', mode: 0o600 });
    const info = { origin, key, reason, createdAt: at.toISOString() };
    await fsp.writeFile(join(dir, 'origin.json'), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    await this.prune();
    return file;
  }

  async list(): Promise<BackupInfo[]> {
    let names: string[];
    try {
      names = (await fsp.readdir(this.root)).sort();
    } catch {
      return [];
    }
    const out: BackupInfo[] = [];
    for (const name of names) {
      const dir = join(this.root, name);
      try {
        const info = JSON.parse(await fsp.readFile(join(dir, 'origin.json'), 'utf8')) as Omit<BackupInfo, 'dir' | 'file'>;
        out.push({ ...info, dir, file: join(dir, basename(info.origin)) });
      } catch {
        // a folder without its description is not ours; leave it alone
      }
    }
    return out;
  }

  /**
   * Drops the oldest backups beyond the count limit and those older than the age limit. Reads
   * only folder names (each starts with its time), so it stays cheap with many backups.
   */
  async prune(): Promise<number> {
    let names: string[];
    try {
      names = (await fsp.readdir(this.root)).filter((n) => STAMP_RE.test(n)).sort();
    } catch {
      return 0;
    }
    const cutoff = this.now() - this.retention.maxAgeDays * 86_400_000;
    const excess = Math.max(0, names.length - this.retention.maxEntries);
    let removed = 0;
    for (const [i, name] of names.entries()) {
      if (i < excess || stampOf(name) < cutoff) {
        await fsp.rm(join(this.root, name), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}
