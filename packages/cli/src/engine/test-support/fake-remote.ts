/**
 * An in-memory server for engine tests: versions per save (matched by the key's comparison form,
 * as the server does, keeping the first spelling), deletions, a change feed with cursors, and
 * the real conflict rule from core (so outcomes are what the server would answer).
 */
import { createHash } from 'node:crypto';
import { ApiError } from '@retrosync/api';
import { decideUpload, describeFilter, filterAllows, normalizeSaveKey, SYNC_EVERYTHING, type SyncFilter } from '@retrosync/core';
import type { LogEntry, Remote, RemoteHead, UploadReply, VersionInfo } from '../../net/remote.js';

interface Version extends RemoteHead {
  bytes: Uint8Array;
  conflict: boolean;
}

const EMPTY_SHA = createHash('sha256').update(new Uint8Array(0)).digest('hex');

export class FakeServer {
  versions = new Map<string, Version[]>();
  feed: { key: string; cursor: number }[] = [];
  cursor = 0;
  logs: LogEntry[] = [];
  uploads: { key: string; baseVersion: number | null; fileMtimeMs: number; deviceId: string; timeTrust?: string; deleted?: boolean }[] = [];
  downloads = 0;
  failNext: Error | null = null;
  quotaFull = false;
  /** Per key (comparison form): make its uploads fail with this error. */
  failUploads = new Map<string, Error>();
  /** Per device: its selective-sync filter and the feed position it was set at (as the server keeps them). */
  filters = new Map<string, { filter: SyncFilter; revision: number }>();

  /** Sets a device's filter as the dashboard would: takes a feed position, so that device's next read starts over. */
  setFilter(deviceId: string, filter: SyncFilter): { filter: SyncFilter; revision: number } {
    const f = { filter, revision: ++this.cursor };
    this.filters.set(deviceId, f);
    return f;
  }

  private allows(deviceId: string, key: string): boolean {
    const f = this.filters.get(deviceId);
    return !f || filterAllows(f.filter, key);
  }

  private excluded(deviceId: string, key: string): void {
    if (!this.allows(deviceId, key)) throw new ApiError('save_excluded', `excluded by this device's filter: ${key}`, { key });
  }

  private id(key: string): string {
    return normalizeSaveKey(key);
  }

  /** Every version of `key`, oldest first. */
  list(key: string): Version[] {
    return this.versions.get(this.id(key)) ?? [];
  }

  head(key: string): Version | undefined {
    const list = this.versions.get(this.id(key)) ?? [];
    return [...list].reverse().find((v) => !v.conflict);
  }

  put(key: string, bytes: Uint8Array | null, deviceId: string, mtime: number, base: number | null): UploadReply {
    const deleted = bytes === null;
    const sha256 = deleted ? EMPTY_SHA : createHash('sha256').update(bytes).digest('hex');
    const id = this.id(key);
    const list = this.versions.get(id) ?? [];
    const head = this.head(key);
    const d = decideUpload(head ? { version: head.version, sha256: head.sha256, correctedMtime: head.correctedMtime, deleted: head.deleted } : null, { baseVersion: base, sha256, correctedMtime: mtime, deleted });
    if (d.outcome === 'unchanged') return { outcome: 'unchanged', head: head as RemoteHead, storedVersion: head?.version ?? 0 };
    const v: Version = { key: list[0]?.key ?? key, version: list.length + 1, sha256, size: bytes?.length ?? 0, deleted, deviceId, fileMtime: mtime, correctedMtime: mtime, bytes: bytes ?? new Uint8Array(0), conflict: !d.becomesHead };
    list.push(v);
    this.versions.set(id, list);
    if (d.becomesHead) this.feed.push({ key: v.key, cursor: ++this.cursor });
    const { bytes: _b, conflict: _c, ...h } = this.head(key) as Version;
    return { outcome: d.outcome, head: h, storedVersion: v.version };
  }

  client(deviceId: string): Remote {
    const check = () => {
      if (this.failNext) {
        const e = this.failNext;
        this.failNext = null;
        throw e;
      }
    };
    return {
      deviceId,
      listFiles: async ({ since: asked } = {}) => {
        check();
        const f = this.filters.get(deviceId);
        const since = asked !== undefined && asked !== null && f && asked < f.revision ? 0 : asked;
        const ids = since === undefined || since === null ? [...this.versions.keys()] : [...new Set(this.feed.filter((f) => f.cursor > since).map((f) => this.id(f.key)))];
        const heads = ids.map((k) => this.head(k)).filter((h): h is Version => h !== undefined && (since !== undefined && since !== null ? true : !h.deleted));
        const files = heads.filter((h) => this.allows(deviceId, h.key)).map(({ bytes: _b, conflict: _c, ...h }) => h);
        return { files, cursor: this.cursor, ...(f ? { filter: f } : {}) };
      },
      upload: async (key, bytes, meta) => {
        check();
        const fail = this.failUploads.get(this.id(key));
        if (fail) throw fail;
        if (this.quotaFull) throw new ApiError('quota_exceeded');
        this.excluded(deviceId, key);
        this.uploads.push({ key, baseVersion: meta.baseVersion, fileMtimeMs: meta.fileMtimeMs, deviceId, ...(meta.timeTrust ? { timeTrust: meta.timeTrust } : {}) });
        return this.put(key, bytes, deviceId, meta.fileMtimeMs, meta.baseVersion);
      },
      deleteSave: async (key, meta) => {
        check();
        this.excluded(deviceId, key);
        this.uploads.push({ key, baseVersion: meta.baseVersion, fileMtimeMs: meta.fileMtimeMs, deviceId, deleted: true });
        if (!this.head(key)) throw new ApiError('not_found');
        return this.put(key, null, deviceId, meta.fileMtimeMs, meta.baseVersion);
      },
      download: async (key, version) => {
        check();
        this.excluded(deviceId, key);
        this.downloads++;
        const v = version === undefined ? this.head(key) : this.versions.get(this.id(key))?.find((x) => x.version === version);
        if (!v || v.deleted) throw new ApiError('not_found');
        return { bytes: v.bytes, version: v.version, sha256: v.sha256, correctedMtime: v.correctedMtime };
      },
      versions: async (key) => {
        const list = this.versions.get(this.id(key)) ?? [];
        const head = this.head(key);
        const out: VersionInfo[] = [...list].reverse().map((v) => ({ version: v.version, sha256: v.sha256, size: v.size, deleted: v.deleted, conflict: v.conflict, head: v === head, deviceId: v.deviceId, correctedMtime: v.correctedMtime, createdAt: new Date(v.correctedMtime).toISOString() }));
        return { head: head?.version ?? null, versions: out };
      },
      heartbeat: async () => ({ clockOffsetMs: 0, heartbeatIntervalSeconds: 60 }),
      log: async (entry) => {
        this.logs.push(entry);
      },
      getFilter: async () => {
        const f = this.filters.get(deviceId) ?? { filter: SYNC_EVERYTHING, revision: 0 };
        return { ...f, updatedAt: null, updatedBy: null, summary: describeFilter(f.filter) };
      },
      setFilter: async (filter) => {
        const f = this.setFilter(deviceId, filter);
        return { ...f, updatedAt: null, updatedBy: 'device', summary: describeFilter(f.filter) };
      },
    };
  }
}
