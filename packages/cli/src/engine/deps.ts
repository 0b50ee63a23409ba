/** What the sync engine is given: the platform functions (files, server, layout) and its records. */
import type { SyncFilter } from '@retrosync/core';
import type { Backups } from '../local-fs/backups.js';
import type { LocalFiles } from '../local-fs/files.js';
import type { Progress, Remote } from '../net/remote.js';
import type { Logger } from '../state/log.js';
import type { SyncState } from '../state/sync-state.js';
import type { DeviceClock } from '../time/device-clock.js';
import type { DeviceLayout } from './layout.js';

export interface EngineHooks {
  /** A remote head was written to disk at `path`. */
  applied?(key: string, path: string, version: number): void;
  /** A local file was uploaded (or found already on the server). */
  uploaded?(key: string, path: string, outcome: string): void;
}

export interface EngineDeps {
  layout: DeviceLayout;
  files: LocalFiles;
  remote: Remote;
  state: SyncState;
  backups: Backups;
  log: Logger;
  /** The device's clocks (wall, boot, uptime); sessions pass deviceClock(). */
  clock?: DeviceClock;
  /** Only the wall clock (tests); ignored when `clock` is given. */
  now?: () => number;
  /** A progress reporter for a transfer over ~1 MB (the CLI draws a bar; the daemon logs). */
  progress?: (label: string, total: number) => Progress | undefined;
  hooks?: EngineHooks;
  /** This device as the dashboard shows it (sent with uploads). */
  device?: { name: string; platform: string };
  /** Selective sync: the local filter (config.json); combined with this device's filter on the server (engine/filter.ts). */
  localFilter?: SyncFilter | null;
}

const TEST_BOOT = 'engine-test-boot';

/** The clock the engine reads: `deps.clock`, else `deps.now` (or the system clock) in one fixed boot. */
export function engineClock(deps: EngineDeps): DeviceClock {
  if (deps.clock) return deps.clock;
  const now = deps.now ?? Date.now;
  return { now, boot: TEST_BOOT, uptimeMs: () => performance.now() };
}
