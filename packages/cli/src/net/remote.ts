/**
 * The server as the sync engine sees it: a narrow port. `httpRemote` speaks the v1 API; tests
 * may pass a fake. Errors: `ApiError` (with the server's code) or a network error.
 */
import { ApiError } from '@retrosync/api';
import type { SyncFilter } from '@retrosync/core';

export interface RemoteHead {
  key: string;
  version: number;
  sha256: string;
  size: number;
  deleted: boolean;
  deviceId: string | null;
  fileMtime: number | null;
  correctedMtime: number;
}

export interface FeedPage {
  files: RemoteHead[];
  cursor: number;
  /** The device's filter on the server the page was read under (absent: never set = everything). */
  filter?: { revision: number; filter: SyncFilter };
}

/** The device's selective-sync filter as the server keeps it. */
export interface ServerFilter {
  filter: SyncFilter;
  revision: number;
  updatedAt: string | null;
  updatedBy: 'user' | 'device' | null;
  summary: string;
}

/** `blank_refused` is v1.1; an outcome this client does not know is treated like `conflict_lost`. */
export type UploadOutcome = 'accepted' | 'unchanged' | 'conflict_won' | 'conflict_lost' | 'blank_refused';

/** The client's verdict on an edit's file time (`X-Time-Trust`), when it has one. */
export type TimeTrust = 'observed' | 'untrusted';

/** A live play lease: the save is in use on that device (server clock). */
export interface LeaseInfo {
  key: string;
  deviceId: string;
  deviceName: string;
  reason: 'write' | 'launch';
  /** ISO 8601, server clock. */
  since: string;
  expiresAt: string;
  /** This device holds it. */
  held: boolean;
}

export interface UploadReply {
  outcome: UploadOutcome;
  head: RemoteHead;
  storedVersion: number;
  /** Another device held a live play lease on this save when it was changed here (warn the player). */
  lease?: LeaseInfo;
}

export interface Downloaded {
  bytes: Uint8Array;
  version: number;
  sha256: string;
  correctedMtime: number | null;
}

export interface VersionInfo {
  version: number;
  sha256: string;
  size: number;
  deleted: boolean;
  conflict: boolean;
  head: boolean;
  deviceId: string | null;
  correctedMtime: number;
  createdAt: string;
}

export type Progress = (done: number, total: number) => void;

export interface LogEntry {
  action: 'upload' | 'download' | 'delete' | 'conflict';
  filePath: string;
  fileSize?: number;
  status?: 'success' | 'failed' | 'pending';
  errorMsg?: string;
  metadata?: string;
}

export interface UploadMeta {
  sha256: string;
  baseVersion: number | null;
  fileMtimeMs: number;
  /** Shown in the dashboard (`X-Save-Metadata`): the game's name, this device's name and platform. */
  info?: { gameName?: string; deviceName?: string; platform?: string };
  timeTrust?: TimeTrust;
}

export interface DeleteMeta {
  baseVersion: number;
  /** When this device noticed the deletion (device clock). */
  fileMtimeMs: number;
  timeTrust?: TimeTrust;
}

export interface Remote {
  readonly deviceId: string;
  listFiles(options?: { since?: number | null; wait?: number; signal?: AbortSignal }): Promise<FeedPage>;
  upload(key: string, bytes: Uint8Array, meta: UploadMeta, progress?: Progress): Promise<UploadReply>;
  /** Records a deletion as a new version (`DELETE` with `X-Base-Version`). */
  deleteSave(key: string, meta: DeleteMeta): Promise<UploadReply>;
  download(key: string, version?: number, progress?: Progress): Promise<Downloaded>;
  versions(key: string): Promise<{ head: number | null; versions: VersionInfo[] }>;
  heartbeat(): Promise<{ clockOffsetMs: number | null; heartbeatIntervalSeconds: number; keyRotation?: 'requested' | null }>;
  log(entry: LogEntry): Promise<void>;
  /** Play leases (optional: fakes and older servers may lack them). */
  claimLeases?(keys: string[], reason: 'write' | 'launch'): Promise<LeaseInfo[]>;
  releaseLeases?(keys?: string[]): Promise<number>;
  listLeases?(): Promise<LeaseInfo[]>;
  /** This device's selective-sync filter on the server (`GET/PUT /api/sync/filter`). */
  getFilter(): Promise<ServerFilter>;
  setFilter(filter: SyncFilter): Promise<ServerFilter>;
}

/** Worth retrying later (network down, server overloaded or failing), as opposed to a refusal. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ApiError) return err.status >= 500 || err.status === 429 || err.code === 'storage_unavailable';
  if (err instanceof Error && err.name === 'StallError') return true;
  if (err instanceof Error && err.name === 'AbortError') return false;
  return true;
}

export function errorCode(err: unknown): string | null {
  return err instanceof ApiError ? err.code : null;
}
