/**
 * `backups/` in RETROSYNC_HOME: every local file the client replaces or removes is copied here
 * first, one folder per backup (`<seq>-<time>-<reason>-<rand>/<file name>` plus `origin.json`),
 * pruned to a retention limit (count and age), oldest first.
 *
 * "Oldest" is by sequence number, never by the clock: a device without an RTC battery boots in
 * 1970, and a backup named by that clock must not be the first to go (the shell client does the
 * same). Only backups whose time is plausible (2020 or later, not in the future) are pruned by age;
 * the others go by count. Folders named by earlier versions (`<time>-…`) count as older than any
 * numbered one.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { PLAUSIBLE_FLOOR_MS } from '@retrosync/core';

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

const STAMP = String.raw`(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z-`;
/** 00000042-2026-11-25T13-31-59-317Z-reason-rand */
const NAME_RE = new RegExp(`^(\\d{8})-${STAMP}`);
/** Before sequence numbers: 2026-11-25T13-31-59-317Z-reason-rand */
const LEGACY_RE = new RegExp(`^${STAMP}`);

interface Entry {
  name: string;
  seq: number;
  time: number;
}

function parse(name: string): Entry | null {
  const m = NAME_RE.exec(name);
  const l = m ? null : LEGACY_RE.exec(name);
  const t = m ? m.slice(2) : l?.slice(1);
  if (!t) return null;
  return { name, seq: m ? Number(m[1]) : 0, time: Date.parse(`${t[0]}T${t[1]}:${t[2]}:${t[3]}.${t[4]}Z`) };
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
    const seq = (await this.entries()).reduce((max, e) => Math.max(max, e.seq), 0) + 1;
    const dir = join(this.root, `${String(seq).padStart(8, '0')}-${stamp}-${reason}-${randomBytes(3).toString('hex')}`);
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

  /** Our backup folders, oldest first (by sequence number; earlier versions' folders by name). */
  private async entries(): Promise<Entry[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.root);
    } catch {
      return [];
    }
    return names
      .map(parse)
      .filter((e): e is Entry => e !== null)
      .sort((a, b) => a.seq - b.seq || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async list(): Promise<BackupInfo[]> {
    const names = (await this.entries()).map((e) => e.name);
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
   * Drops the oldest backups beyond the count limit and those older than the age limit (when
   * their time is plausible). Reads only folder names, so it stays cheap with many backups.
   */
  async prune(): Promise<number> {
    const entries = await this.entries();
    const now = this.now();
    const cutoff = now - this.retention.maxAgeDays * 86_400_000;
    const excess = Math.max(0, entries.length - this.retention.maxEntries);
    let removed = 0;
    for (const [i, e] of entries.entries()) {
      const plausible = e.time >= PLAUSIBLE_FLOOR_MS && e.time <= now;
      if (i < excess || (plausible && e.time < cutoff)) {
        await fsp.rm(join(this.root, e.name), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}
