/** What the sync engine is given: the platform functions (files, server, layout) and its records. */
import type { Backups } from '../local-fs/backups.js';
import type { LocalFiles } from '../local-fs/files.js';
import type { Progress, Remote } from '../net/remote.js';
import type { Logger } from '../state/log.js';
import type { SyncState } from '../state/sync-state.js';
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
  now?: () => number;
  /** A progress reporter for a transfer over ~1 MB (the CLI draws a bar; the daemon logs). */
  progress?: (label: string, total: number) => Progress | undefined;
  hooks?: EngineHooks;
  /** This device as the dashboard shows it (sent with uploads). */
  device?: { name: string; platform: string };
}
