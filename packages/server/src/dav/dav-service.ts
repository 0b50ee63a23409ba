/**
 * The WebDAV operations RetroArch Cloud Sync uses (and the litmus `basic`/`copymove` groups):
 * GET, PUT, DELETE, MKCOL, COPY, MOVE, for one device. Paths are RetroArch-relative
 * (`saves/mGBA/Game.srm`), already decoded and checked by dav-path.ts.
 *
 * Saves under `saves/` and `states/` go through the sync service like any device's upload (so
 * the conflict and blank rules apply unchanged); everything else is an opaque file of this
 * device. The manifest logic is in manifest.ts.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { ApiError } from '@retrosync/api';
import { identifyCloudPath, inflateRzip, isRzip, learnCloudLayout, RzipError } from '@retrosync/core';
import type { Clock } from '../clock.js';
import type { DeviceAuth } from '../http/auth.js';
import type { SyncLogService } from '../services/sync-log.js';
import { assertWithinQuota } from '../sync/quota.js';
import type { SyncModule } from '../sync/sync-module.js';
import { spoolUpload } from '../sync/upload-spool.js';
import type { WriteVersionResult } from '../sync/version-writer.js';
import { buildView, MANIFEST_PATH, md5Of, saveLayout, servedBlob, type DeviceView, type ViewEntry } from './dav-view.js';
import type { DavFileRow } from './schema.js';

/** First folders whose missing parents a write creates (RetroArch does not always MKCOL them, e.g. for `deleted/`). */
const IMPLICIT_PARENTS = new Set(['saves', 'states', 'deleted']);

export class DavError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface DavServiceDeps {
  sync: SyncModule;
  clock: Clock;
  syncLog: SyncLogService;
  spoolDir: string;
  maxBytes: number;
}

export interface Served {
  body: Readable;
  size: number;
  md5: string | null;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function isCollection(view: DeviceView, path: string): boolean {
  if (path === '') return true;
  if (view.entries.get(path)?.type === 'dir') return true;
  const prefix = `${path}/`;
  for (const p of view.entries.keys()) if (p.startsWith(prefix)) return true;
  return false;
}

export class DavService {
  constructor(private readonly deps: DavServiceDeps) {}

  private get db() {
    return this.deps.sync.service.deps.db;
  }

  view(auth: DeviceAuth): Promise<DeviceView> {
    return buildView(this.db, auth.userId, auth.deviceId);
  }

  private async upsertRow(auth: DeviceAuth, path: string, fields: Partial<DavFileRow>): Promise<void> {
    const now = this.deps.clock.now();
    const values = { ...fields, updated_at: now };
    await this.db
      .insertInto('dav_files')
      .values({ device_id: auth.deviceId, user_id: auth.userId, path, is_dir: 0, ...values })
      .onConflict((oc) => oc.columns(['device_id', 'path']).doUpdateSet(values))
      .execute();
  }

  private async removeRows(auth: DeviceAuth, path: string, subtree: boolean): Promise<void> {
    let q = this.db.deleteFrom('dav_files').where('device_id', '=', auth.deviceId).where('user_id', '=', auth.userId);
    const prefix = `${path}/`;
    q = subtree ? q.where((eb) => eb.or([eb('path', '=', path), eb(sql<string>`substr(path, 1, ${prefix.length})`, '=', prefix)])) : q.where('path', '=', path);
    await q.execute();
  }

  private log(auth: DeviceAuth, action: 'upload' | 'download' | 'delete', path: string, size: number | null, failure?: string, metadata?: unknown) {
    return this.deps.syncLog.record(auth.userId, auth.deviceId, auth.device.name, {
      action,
      filePath: path,
      fileSize: size ?? undefined,
      status: failure ? 'failed' : 'success',
      errorMsg: failure,
      metadata: metadata === undefined ? undefined : JSON.stringify(metadata),
    });
  }

  /** Size and MD5 of what a GET of `path` would return, recording nothing (HEAD). */
  async stat(auth: DeviceAuth, path: string): Promise<{ size: number; md5: string | null }> {
    const view = await this.view(auth);
    const entry = view.entries.get(path);
    if (!entry || entry.type === 'deleted') throw new DavError(404, 'Not found.');
    if (entry.type === 'dir') return { size: 0, md5: null };
    if (entry.type === 'file') return { size: Number(entry.row.size ?? 0), md5: entry.row.md5 };
    const served = servedBlob(entry);
    return { size: served.size, md5: served.md5 ?? (await md5Of(this.db, this.deps.sync.blobs, auth.userId, served.sha256)) };
  }

  /** The bytes at `path` (a save's head as this RetroArch keeps it, or an opaque file); records what this device now holds. */
  async get(auth: DeviceAuth, path: string): Promise<Served> {
    const view = await this.view(auth);
    const entry = view.entries.get(path);
    if (!entry || entry.type === 'deleted') throw new DavError(404, 'Not found.');
    if (entry.type === 'dir') throw new DavError(405, 'A collection has no content; GET its files.');
    const { blobs } = this.deps.sync;
    if (entry.type === 'file') {
      return { body: await blobs.get(auth.userId, entry.row.blob_sha256 as string), size: Number(entry.row.size ?? 0), md5: entry.row.md5 };
    }
    const served = servedBlob(entry);
    const hash = served.md5 ?? (await md5Of(this.db, blobs, auth.userId, served.sha256));
    const body = await blobs.get(auth.userId, served.sha256);
    await this.upsertRow(auth, path, {
      save_key: entry.save.key,
      save_version: entry.head.version,
      synced_md5: hash,
      served_md5: hash,
      blob_sha256: served.sha256,
      content_sha256: entry.head.sha256,
      md5: hash,
      size: served.size,
      note: null,
    });
    await this.log(auth, 'download', path, served.size, undefined, { key: entry.save.key, version: entry.head.version });
    return { body, size: served.size, md5: hash };
  }

  /** Checks the parent collection of a new member; creates it when RetroArch relies on it existing. */
  private async ensureParent(auth: DeviceAuth, view: DeviceView, path: string): Promise<void> {
    const parent = parentOf(path);
    if (isCollection(view, parent)) return;
    const segs = path.split('/');
    if (!IMPLICIT_PARENTS.has(segs[0] as string)) throw new DavError(409, 'The parent collection does not exist; MKCOL it first.');
    for (let i = 1; i < segs.length; i++) {
      const dir = segs.slice(0, i).join('/');
      if (!isCollection(view, dir)) {
        if (view.entries.has(dir)) throw new DavError(409, `${dir} is a file.`);
        await this.upsertRow(auth, dir, { is_dir: 1 });
        view.entries.set(dir, { type: 'dir', path: dir });
      }
    }
  }

  /** PUT: whole file. Returns true when the path did not exist before (201), false when replaced (204). */
  async put(auth: DeviceAuth, path: string, body: Readable, view?: DeviceView): Promise<boolean> {
    if (path === '') throw new DavError(405, 'The root is a collection.');
    if (path === MANIFEST_PATH) {
      // RetroArch uploads its idea of the server's manifest after a sync; the server's own is generated.
      for await (const _ of body) void _;
      return false;
    }
    view ??= await this.view(auth);
    const existing = view.entries.get(path);
    if (existing?.type === 'dir') throw new DavError(405, 'A collection is there.');
    await this.ensureParent(auth, view, path);
    const spooled = await spoolUpload(body, this.deps.spoolDir, this.deps.maxBytes);
    try {
      // Opaque files can be large (system files): hash from the spool file, read whole only saves.
      const md5 = await md5File(spooled.path);
      const created = !existing || existing.type === 'deleted';
      const key = existing?.type === 'save' || existing?.type === 'deleted' ? existing.save.key : undefined;
      const id = key
        ? null
        : identifyCloudPath(path, { size: rawSize(await readHead(spooled.path, 20), spooled.size), knownKeys: keysOf(view), layout: view.layout });
      if (key || id?.status === 'save') {
        const saveKey = key ?? (id as { key: string }).key;
        if (id?.status === 'save') {
          const learned = learnCloudLayout(view.layout, id);
          if (learned !== view.layout) await saveLayout(this.db, auth.userId, auth.deviceId, learned, this.deps.clock.now());
        }
        await this.putSave(auth, path, saveKey, existing, await readFile(spooled.path), md5, spooled);
        return created;
      }
      const reason = id?.status === 'opaque' ? id : null;
      await assertWithinQuota(this.db, this.deps.sync.service.deps.quota, auth.userId, spooled.sha256, spooled.size);
      await this.deps.sync.blobs.put(auth.userId, spooled.sha256, spooled.size, { path: spooled.path, consume: true });
      const looksLikeSave = reason !== null && reason.reason.startsWith('cannot tell');
      await this.upsertRow(auth, path, {
        is_dir: 0,
        save_key: null,
        save_version: null,
        synced_md5: md5,
        served_md5: md5,
        blob_sha256: spooled.sha256,
        content_sha256: spooled.sha256,
        md5,
        size: spooled.size,
        note: looksLikeSave ? reason.reason : null,
      });
      if (looksLikeSave) {
        // Reported, never guessed into a key: kept for this RetroArch only.
        await this.log(auth, 'upload', path, spooled.size, `Kept for this RetroArch only, not synced: ${reason.reason}. Turn on "Sort Saves into Folders by Content Directory" (or by core) in RetroArch, or sync this game from a handheld first.`, { candidates: reason.candidates });
      }
      return created;
    } finally {
      await spooled.discard();
    }
  }

  private async putSave(auth: DeviceAuth, path: string, key: string, existing: ViewEntry | undefined, bytes: Buffer, md5: string, spooled: { path: string; sha256: string; size: number }) {
    let raw: Uint8Array = bytes;
    if (isRzip(bytes)) {
      try {
        raw = inflateRzip(bytes);
      } catch (err) {
        if (!(err instanceof RzipError)) throw err;
      }
    }
    const rawBuf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const rawSha = createHash('sha256').update(rawBuf).digest('hex');
    const row = existing && existing.type !== 'dir' ? (existing.row ?? null) : null;
    // The base is what this RetroArch last synced here; RetroArch only uploads a file it changed since.
    const base = row && row.synced_md5 !== null && row.synced_md5 !== '' ? row.save_version : existing?.type === 'deleted' && row?.synced_md5 === '' ? existing.head.version : null;
    const result: WriteVersionResult = await this.deps.sync.service.upload({
      userId: auth.userId,
      deviceId: auth.deviceId,
      key,
      body: Readable.from([rawBuf]),
      sha256: rawSha,
      baseVersion: base,
      fileMtime: null,
      clientTime: null,
      metadata: null,
      contentLength: rawBuf.length,
    });
    // RetroArch's own bytes (RZIP as written) are what it has: keep them so the manifest lists its hash while they are the head.
    if (rawSha !== spooled.sha256) {
      await this.deps.sync.blobs.put(auth.userId, spooled.sha256, spooled.size, { path: spooled.path, consume: false });
    }
    await this.upsertRow(auth, path, {
      is_dir: 0,
      save_key: result.save.key,
      save_version: result.stored?.version ?? result.head?.version ?? null,
      synced_md5: md5,
      served_md5: md5,
      blob_sha256: spooled.sha256,
      content_sha256: rawSha,
      md5,
      size: spooled.size,
      note: null,
    });
    const kept = result.outcome === 'conflict_lost' || (result.outcome as string) === 'blank_refused';
    await this.log(
      auth,
      'upload',
      path,
      spooled.size,
      kept ? `${result.outcome}: kept as version ${result.stored?.version}; the head stays and this RetroArch downloads it at its next sync.` : undefined,
      { key: result.save.key, outcome: result.outcome, version: result.stored?.version ?? null },
    );
  }

  /** DELETE: a save becomes a deletion version (restorable); a file or collection of this device is removed. */
  async delete(auth: DeviceAuth, path: string, view?: DeviceView): Promise<void> {
    if (path === '' || path === MANIFEST_PATH) throw new DavError(403, 'This cannot be deleted.');
    view ??= await this.view(auth);
    const entry = view.entries.get(path);
    if (!entry) {
      if (!isCollection(view, path)) throw new DavError(404, 'Not found.');
    } else if (entry.type === 'deleted') {
      throw new DavError(404, 'Already deleted.');
    } else if (entry.type === 'save') {
      const row = entry.row;
      const result = await this.deps.sync.service.delete({
        userId: auth.userId,
        deviceId: auth.deviceId,
        key: entry.save.key,
        baseVersion: row && row.synced_md5 ? row.save_version : null,
        fileMtime: null,
        clientTime: null,
      });
      await this.upsertRow(auth, path, { save_key: entry.save.key, save_version: result.stored?.version ?? null, synced_md5: '', served_md5: '', note: null });
      await this.log(auth, 'delete', path, null, undefined, { key: entry.save.key, outcome: result.outcome, version: result.stored?.version ?? null });
      return;
    } else if (entry.type === 'file') {
      await this.removeRows(auth, path, false);
      return;
    }
    const prefix = `${path}/`;
    const saves = [...view.entries.values()].filter((e) => e.path.startsWith(prefix) && e.type === 'save');
    if (saves.length > 0) throw new DavError(403, 'This collection holds saves; delete them one by one.');
    await this.removeRows(auth, path, true);
  }

  async mkcol(auth: DeviceAuth, path: string): Promise<void> {
    if (path === '') throw new DavError(405, 'The root exists.');
    const view = await this.view(auth);
    const entry = view.entries.get(path);
    if ((entry && entry.type !== 'deleted') || isCollection(view, path)) throw new DavError(405, 'Something already exists there.');
    if (!isCollection(view, parentOf(path))) throw new DavError(409, 'The parent collection does not exist.');
    await this.upsertRow(auth, path, { is_dir: 1, save_key: null, synced_md5: null, served_md5: null, blob_sha256: null, md5: null, size: null });
  }

  /** COPY / MOVE. Returns true when the destination did not exist (201), false when it was replaced (204). */
  async transfer(auth: DeviceAuth, from: string, to: string, opts: { move: boolean; overwrite: boolean; depth: 'infinity' | '0' }): Promise<boolean> {
    if (from === '' || to === '' || from === MANIFEST_PATH || to === MANIFEST_PATH) throw new DavError(403, 'This cannot be moved or copied.');
    if (from === to || to.startsWith(`${from}/`)) throw new DavError(403, 'Source and destination overlap.');
    let view = await this.view(auth);
    const source = view.entries.get(from);
    const sourceIsDir = !source && isCollection(view, from) ? true : source?.type === 'dir';
    if ((!source || source.type === 'deleted') && !sourceIsDir) throw new DavError(404, 'No such source.');
    const existed = view.entries.has(to) || isCollection(view, to);
    if (existed && !opts.overwrite) throw new DavError(412, 'The destination exists and Overwrite is F.');
    if (!isCollection(view, parentOf(to)) && !IMPLICIT_PARENTS.has(to.split('/')[0] as string)) {
      throw new DavError(409, 'The destination collection does not exist.');
    }
    if (existed) {
      await this.delete(auth, to, view);
      view = await this.view(auth);
    }
    const copyOne = async (src: ViewEntry, dst: string) => {
      if (src.type === 'dir') {
        await this.upsertRow(auth, dst, { is_dir: 1, save_key: null, synced_md5: null, served_md5: null, blob_sha256: null, md5: null, size: null });
        view.entries.set(dst, { type: 'dir', path: dst });
        return;
      }
      if (src.type === 'deleted') return;
      const sha = src.type === 'file' ? (src.row.blob_sha256 as string) : servedBlob(src).sha256;
      await this.put(auth, dst, await this.deps.sync.blobs.get(auth.userId, sha), view);
      view = await this.view(auth);
    };
    if (!sourceIsDir) {
      await copyOne(source as ViewEntry, to);
      if (opts.move) await this.delete(auth, from);
      return !existed;
    }
    if (opts.move && [...view.entries.values()].some((e) => e.path.startsWith(`${from}/`) && e.type === 'save')) {
      throw new DavError(403, 'This collection holds saves; move them one by one.');
    }
    await copyOne({ type: 'dir', path: to }, to);
    if (opts.depth === 'infinity' || opts.move) {
      const members = [...view.entries.values()].filter((e) => e.path.startsWith(`${from}/`)).sort((a, b) => a.path.length - b.path.length);
      for (const m of members) await copyOne(m, to + m.path.slice(from.length));
    }
    if (opts.move) await this.removeRows(auth, from, true);
    return !existed;
  }
}

function keysOf(view: DeviceView): readonly string[] {
  return view.knownKeys;
}

/** A save's size as the emulator wrote it (RZIP files carry the raw size in their header). */
function rawSize(head: Buffer, size: number): number {
  if (isRzip(head) && head.length >= 20) return Number(head.readBigUInt64LE(12));
  return size;
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await file.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
