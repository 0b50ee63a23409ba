/**
 * A full rescan of 10,000 saves that did not change: one stat per file and a state lookup, no
 * reading, no hashing. The state is built by a first pass (which hashes everything) against an
 * in-memory server that accepts every upload; then the rescan and a whole no-op sync pass are
 * each timed RUNS times.
 */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncPass, type PassResult } from '../../packages/cli/src/engine/engine.js';
import { deviceLayout } from '../../packages/cli/src/engine/layout.js';
import { scanLocal } from '../../packages/cli/src/engine/scan.js';
import { Backups } from '../../packages/cli/src/local-fs/backups.js';
import { nodeFiles } from '../../packages/cli/src/local-fs/files.js';
import type { Remote } from '../../packages/cli/src/net/remote.js';
import { memoryLogger } from '../../packages/cli/src/state/log.js';
import { SyncState } from '../../packages/cli/src/state/sync-state.js';

const RUNS = 5;

function acceptingRemote(): Remote {
  let version = 0;
  return {
    deviceId: 'bench',
    listFiles: async () => ({ files: [], cursor: version }),
    upload: async (key, bytes, meta) => {
      version++;
      const head = { key, version: 1, sha256: meta.sha256, size: bytes.length, deleted: false, deviceId: 'bench', fileMtime: meta.fileMtimeMs, correctedMtime: meta.fileMtimeMs };
      return { outcome: 'accepted', head, storedVersion: 1 };
    },
    deleteSave: async () => Promise.reject(new Error('not used')),
    download: async () => Promise.reject(new Error('not used')),
    versions: async () => ({ head: null, versions: [] }),
    heartbeat: async () => ({ clockOffsetMs: 0, heartbeatIntervalSeconds: 60 }),
    log: async () => undefined,
  };
}

export interface RescanResult {
  files: number;
  firstPass: PassResult & { ms: number };
  /** Each timed rescan (scanLocal only), in run order. */
  scanRuns: number[];
  /** Each timed full sync pass with nothing to do. */
  passRuns: number[];
  /** Files read and hashed over all timed runs (must be 0). */
  hashed: number;
}

export async function measureRescan(count: number): Promise<RescanResult> {
  const root = mkdtempSync(join(tmpdir(), 'rs-bench-rescan-'));
  const dir = join(root, 'mnt/SDCARD/Saves/CurrentProfile/saves/gpSP');
  mkdirSync(dir, { recursive: true });
  const bytes = Buffer.alloc(8192, 7);
  // Saves on a card were written before this run: an hour ago. (A file whose time lies within
  // the FAT window of when it was read is hashed again by design — see scan.ts — which is not
  // what this benchmark measures.)
  const written = new Date(Date.now() - 3_600_000);
  for (let i = 0; i < count; i++) {
    const file = join(dir, `Game ${String(i).padStart(5, '0')}.srm`);
    writeFileSync(file, bytes);
    utimesSync(file, written, written);
  }
  const deps = { layout: deviceLayout('onion', [root]), files: nodeFiles(), remote: acceptingRemote(), state: SyncState.memory(), backups: new Backups(join(root, 'backups')), log: memoryLogger() };
  let t = performance.now();
  const first = await syncPass(deps);
  const firstMs = performance.now() - t;
  const scanRuns: number[] = [];
  const passRuns: number[] = [];
  let hashed = 0;
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    const scan = await scanLocal(deps.layout, deps.files, deps.state, deps.log);
    scanRuns.push(performance.now() - t);
    t = performance.now();
    const pass = await syncPass(deps);
    passRuns.push(performance.now() - t);
    hashed += scan.hashed + pass.hashed;
    if (scan.saves.size !== count || pass.scanned !== count) throw new Error(`rescan saw ${scan.saves.size}/${pass.scanned} of ${count} saves`);
  }
  return { files: count, firstPass: { ...first, ms: firstMs }, scanRuns, passRuns, hashed };
}
