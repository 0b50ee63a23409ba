/**
 * An in-memory server for engine tests: versions per key, a change feed with cursors, and the
 * real conflict rule from core (so outcomes are what the server would answer).
 */
import { createHash } from 'node:crypto';
import { ApiError } from '@retrosync/api';
import { decideUpload } from '@retrosync/core';
import type { LogEntry, Remote, RemoteHead, UploadReply, VersionInfo } from '../../net/remote.js';

interface Version extends RemoteHead {
  bytes: Uint8Array;
  conflict: boolean;
}

export class FakeServer {
  versions = new Map<string, Version[]>();
  feed: { key: string; cursor: number }[] = [];
  cursor = 0;
  logs: LogEntry[] = [];
  uploads: { key: string; baseVersion: number | null; fileMtimeMs: number; deviceId: string }[] = [];
  downloads = 0;
  failNext: Error | null = null;
  quotaFull = false;

  head(key: string): Version | undefined {
    const list = this.versions.get(key) ?? [];
    return [...list].reverse().find((v) => !v.conflict);
  }

  put(key: string, bytes: Uint8Array, deviceId: string, mtime: number, base: number | null): UploadReply {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const list = this.versions.get(key) ?? [];
    const head = this.head(key);
    const d = decideUpload(head ? { version: head.version, sha256: head.sha256, correctedMtime: head.correctedMtime, deleted: false } : null, { baseVersion: base, sha256, correctedMtime: mtime, deleted: false });
    if (d.outcome === 'unchanged') return { outcome: 'unchanged', head: head as RemoteHead, storedVersion: (head as Version).version };
    const v: Version = { key, version: list.length + 1, sha256, size: bytes.length, deleted: false, deviceId, fileMtime: mtime, correctedMtime: mtime, bytes, conflict: !d.becomesHead };
    list.push(v);
    this.versions.set(key, list);
    if (d.becomesHead) this.feed.push({ key, cursor: ++this.cursor });
    return { outcome: d.outcome, head: this.head(key) as RemoteHead, storedVersion: v.version };
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
      listFiles: async ({ since } = {}) => {
        check();
        const keys = since === undefined || since === null ? [...this.versions.keys()] : [...new Set(this.feed.filter((f) => f.cursor > since).map((f) => f.key))];
        return { files: keys.map((k) => this.head(k)).filter((h): h is Version => h !== undefined).map(({ bytes: _b, conflict: _c, ...h }) => h), cursor: this.cursor };
      },
      upload: async (key, bytes, meta) => {
        check();
        if (this.quotaFull) throw new ApiError('quota_exceeded');
        this.uploads.push({ key, baseVersion: meta.baseVersion, fileMtimeMs: meta.fileMtimeMs, deviceId });
        return this.put(key, bytes, deviceId, meta.fileMtimeMs, meta.baseVersion);
      },
      download: async (key, version) => {
        check();
        this.downloads++;
        const v = version === undefined ? this.head(key) : this.versions.get(key)?.find((x) => x.version === version);
        if (!v) throw new ApiError('not_found');
        return { bytes: v.bytes, version: v.version, sha256: v.sha256, correctedMtime: v.correctedMtime };
      },
      versions: async (key) => {
        const list = this.versions.get(key) ?? [];
        const head = this.head(key);
        const out: VersionInfo[] = [...list].reverse().map((v) => ({ version: v.version, sha256: v.sha256, size: v.size, deleted: false, conflict: v.conflict, head: v === head, deviceId: v.deviceId, correctedMtime: v.correctedMtime, createdAt: new Date(v.correctedMtime).toISOString() }));
        return { head: head?.version ?? null, versions: out };
      },
      heartbeat: async () => ({ clockOffsetMs: 0, heartbeatIntervalSeconds: 60 }),
      log: async (entry) => {
        this.logs.push(entry);
      },
    };
  }
}
