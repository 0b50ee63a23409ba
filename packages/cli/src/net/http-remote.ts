/**
 * {@link Remote} over HTTP with the shared typed client. Every request carries the device's
 * clocks (protocol v1.1: `X-Client-Time`, `X-Client-Boot`, `X-Client-Uptime`,
 * `X-Last-Server-Time`) and every reply's `X-Server-Time` is reported back. Transfers fail on
 * stalls, not on total time. Downloads are read as bytes (the typed client reads text) with
 * progress, and checked against the server's SHA-256 before the engine sees them.
 */
import { createHash } from 'node:crypto';
import {
  ApiError,
  createApiClient,
  heartbeatRoutes,
  isErrorCode,
  leaseRoutes,
  syncFeedRoutes,
  syncLogRoutes,
  syncFilterRoutes,
  syncSaveRoutes,
  type ApiClient,
  type DeviceFilterView,
} from '@retrosync/api';
import { encodeSaveKeyPath } from '@retrosync/core';
import { deviceClock, type DeviceClock } from '../time/device-clock.js';
import type { DeleteMeta, Downloaded, FeedPage, LeaseInfo, Progress, Remote, RemoteHead, ServerFilter, UploadReply } from './remote.js';
import { StallError, watchdog } from './stall.js';

export { StallError };

export const CLIENT_VERSION = '0.1.0';

export interface HttpRemoteOptions {
  server: string;
  /** The device key; a function when it may change while the remote lives (key rotation). */
  apiKey: string | (() => string);
  deviceId: string;
  platform?: string;
  fetch?: typeof fetch;
  /** Only the wall clock (older callers and tests); `clock` gives boot and uptime too. */
  now?: () => number;
  clock?: DeviceClock;
  /** The newest server time this device has seen (sent as `X-Last-Server-Time`). */
  lastServerTime?: () => number | null;
  /** Each reply's `X-Server-Time`. */
  onServerTime?: (serverTimeMs: number) => void;
  /** A transfer with no bytes moving for this long fails (default 30 s). */
  stallMs?: number;
}

type Reply = { outcome: string; head: RemoteHead; stored: { version: number }; lease?: Omit<LeaseInfo, 'held'> };

function toReply(data: unknown): UploadReply {
  const r = data as Reply;
  const out: UploadReply = { outcome: r.outcome as UploadReply['outcome'], head: toHead(r.head), storedVersion: r.stored.version };
  if (r.lease) out.lease = toLease({ ...r.lease, held: false });
  return out;
}

function toLease(l: LeaseInfo): LeaseInfo {
  return { key: l.key, deviceId: l.deviceId, deviceName: l.deviceName, reason: l.reason, since: l.since, expiresAt: l.expiresAt, held: l.held };
}

function toHead(h: { key: string; version: number; sha256: string; size: number; deleted: boolean; deviceId: string | null; fileMtime: number | null; correctedMtime: number }): RemoteHead {
  return { key: h.key, version: h.version, sha256: h.sha256, size: h.size, deleted: h.deleted, deviceId: h.deviceId, fileMtime: h.fileMtime, correctedMtime: h.correctedMtime };
}

function toServerFilter(v: DeviceFilterView): ServerFilter {
  return { filter: v.filter, revision: v.revision, updatedAt: v.updatedAt, updatedBy: v.updatedBy, summary: v.summary };
}

/** JSON with every non-ASCII character escaped, so it travels in an HTTP header (`Pokémon` → `Pok\u00e9mon`). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Streams `bytes` in 64 KiB chunks so a progress bar can follow an upload. */
function chunkedBody(bytes: Uint8Array, progress: Progress): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      const end = Math.min(bytes.length, offset + 65_536);
      controller.enqueue(bytes.subarray(offset, end));
      offset = end;
      progress(offset, bytes.length);
    },
  });
}

async function errorFrom(res: Response, what: string): Promise<ApiError> {
  let env: { error?: string; code?: string; details?: Record<string, unknown> } | undefined;
  try {
    env = (await res.json()) as typeof env;
  } catch {
    env = undefined;
  }
  const code = isErrorCode(env?.code) ? env.code : res.status >= 500 ? 'internal_error' : res.status === 404 ? 'not_found' : 'validation_failed';
  const err = new ApiError(code, env?.error ?? `HTTP ${res.status} from ${what}`, env?.details);
  Object.defineProperty(err, 'status', { value: res.status });
  return err;
}

export function httpRemote(options: HttpRemoteOptions): Remote {
  const dc = options.clock ?? { ...deviceClock(), ...(options.now ? { now: options.now } : {}) };
  const stallMs = options.stallMs ?? 30_000;
  const rawFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const apiKey = typeof options.apiKey === 'function' ? options.apiKey : () => options.apiKey as string;
  const doFetch: typeof fetch = async (input, init) => {
    // The key is read at each request, so a rotated key takes effect at once.
    const headers = new Headers(init?.headers);
    if (headers.has('x-api-key')) headers.set('x-api-key', apiKey());
    const res = await rawFetch(input, { ...init, headers });
    const t = Number(res.headers.get('x-server-time') ?? '');
    if (Number.isSafeInteger(t) && t > 0) options.onServerTime?.(t);
    return res;
  };
  const clock = (): Record<string, string> => {
    const h: Record<string, string> = { 'x-client-time': String(dc.now()), 'x-client-boot': dc.boot, 'x-client-uptime': String(Math.max(0, Math.round(dc.uptimeMs()))) };
    const last = options.lastServerTime?.() ?? null;
    if (last !== null) h['x-last-server-time'] = String(last);
    return h;
  };
  const base = options.server.replace(/\/+$/, '');
  const api: ApiClient = createApiClient({ baseUrl: base, apiKey: apiKey(), fetch: doFetch, credentials: 'omit' });
  return {
    deviceId: options.deviceId,
    async listFiles(opts = {}) {
      const query: { since?: number; wait?: number } = {};
      if (opts.since !== undefined && opts.since !== null) query.since = opts.since;
      if (opts.wait !== undefined) query.wait = opts.wait;
      const data = await api.call(syncFeedRoutes.files, { query, headers: clock(), ...(opts.signal ? { signal: opts.signal } : {}) });
      const page: FeedPage = { files: data.files.map(toHead), cursor: data.cursor };
      if (data.filter) page.filter = data.filter;
      return page;
    },
    async upload(key, bytes, meta, progress) {
      const headers: Record<string, string> = {
        'content-type': 'application/octet-stream',
        'x-content-sha256': meta.sha256,
        'x-file-mtime': String(Math.round(meta.fileMtimeMs)),
        ...clock(),
      };
      if (meta.baseVersion !== null) headers['x-base-version'] = String(meta.baseVersion);
      if (meta.timeTrust) headers['x-time-trust'] = meta.timeTrust;
      if (meta.info) headers['x-save-metadata'] = asciiJson(meta.info);
      const dog = watchdog(`the upload of ${key}`, stallMs);
      // Bodies are streamed in chunks, so the watchdog sees the bytes leave (and a bar can follow).
      const streamed = bytes.length > 65_536;
      const body: unknown = streamed
        ? chunkedBody(bytes, (done, total) => {
            dog.poke();
            if (progress && total > 1_000_000) progress(done, total);
          })
        : bytes;
      if (streamed) headers['content-length'] = String(bytes.length);
      const viaDuplex = streamed ? api.with({ fetch: (url, req) => doFetch(url, { ...req, duplex: 'half' } as RequestInit) }) : api;
      try {
        return toReply(await viaDuplex.call(syncSaveRoutes.upload, { params: { '*': key }, body, headers, signal: dog.signal } as never));
      } catch (err) {
        return dog.rethrow(err);
      } finally {
        dog.done();
      }
    },
    async deleteSave(key, meta: DeleteMeta) {
      const headers: Record<string, string> = { 'x-base-version': String(meta.baseVersion), 'x-file-mtime': String(Math.round(meta.fileMtimeMs)), ...clock() };
      if (meta.timeTrust) headers['x-time-trust'] = meta.timeTrust;
      const dog = watchdog(`the deletion of ${key}`, stallMs);
      try {
        return toReply(await api.call(syncSaveRoutes.delete, { params: { '*': key }, headers, signal: dog.signal } as never));
      } catch (err) {
        return dog.rethrow(err);
      } finally {
        dog.done();
      }
    },
    async download(key, version, progress) {
      const url = `${base}/api/sync/saves/${encodeSaveKeyPath(key)}${version !== undefined ? `?version=${version}` : ''}`;
      const dog = watchdog(`the download of ${key}`, stallMs);
      const chunks: Uint8Array[] = [];
      let res: Response;
      // What the server says about the bytes: the reply itself, or the redirect to presigned S3.
      let meta: Response;
      try {
        res = await doFetch(url, {
          headers: { 'x-api-key': apiKey(), accept: 'application/octet-stream', 'x-accept-presigned': '1', ...clock() },
          redirect: 'manual',
          signal: dog.signal,
        });
        meta = res;
        const location = res.headers.get('location');
        if (res.status >= 300 && res.status < 400 && location) {
          // A presigned URL on the S3 service: fetched without the API key (it must never leave
          // for another host), and only accepted if the bytes match the SHA-256 the server gave.
          if (!/^[0-9a-f]{64}$/.test(res.headers.get('x-content-sha256') ?? '')) {
            throw new ApiError('checksum_mismatch', `The server redirected the download of ${key} without its SHA-256; it will be retried.`);
          }
          res = await doFetch(new URL(location, url).toString(), { redirect: 'error', signal: dog.signal });
          if (!res.ok) throw new ApiError('storage_unavailable', `The storage service answered HTTP ${res.status} for ${key}; it will be retried.`);
        } else if (!res.ok) throw await errorFrom(res, `GET ${url}`);
        const total = Number(res.headers.get('content-length') ?? '0');
        let done = 0;
        if (res.body) {
          const reader = res.body.getReader();
          for (;;) {
            dog.poke();
            const { value, done: end } = await reader.read();
            if (end) break;
            chunks.push(value);
            done += value.length;
            if (progress && total > 1_000_000) progress(done, total);
          }
        }
      } catch (err) {
        return dog.rethrow(err);
      } finally {
        dog.done();
      }
      const bytes = new Uint8Array(Buffer.concat(chunks));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const claimed = meta.headers.get('x-content-sha256');
      if (claimed !== null && claimed !== sha256) {
        throw new ApiError('checksum_mismatch', `The download of ${key} was damaged in transit (SHA-256 differs); it will be retried.`);
      }
      const v = Number(meta.headers.get('x-version'));
      const corrected = meta.headers.get('x-corrected-mtime');
      const out: Downloaded = { bytes, sha256, version: Number.isInteger(v) && v > 0 ? v : (version ?? 0), correctedMtime: corrected !== null && corrected !== '' ? Number(corrected) : null };
      return out;
    },
    async versions(key) {
      const data = await api.call(syncSaveRoutes.versions, { params: { '*': key }, headers: clock() });
      return {
        head: data.head,
        versions: data.versions.map((v) => ({
          version: v.version,
          sha256: v.sha256,
          size: v.size,
          deleted: v.deleted,
          conflict: v.conflict,
          head: v.head,
          deviceId: v.deviceId,
          correctedMtime: v.correctedMtime,
          createdAt: v.createdAt,
        })),
      };
    },
    async heartbeat() {
      const body: { clientVersion: string; platform?: string } = { clientVersion: CLIENT_VERSION };
      if (options.platform) body.platform = options.platform;
      const data = await api.call(heartbeatRoutes.heartbeat, { body, headers: clock() });
      return { clockOffsetMs: data.clockOffsetMs, heartbeatIntervalSeconds: data.heartbeatIntervalSeconds, keyRotation: data.keyRotation ?? null };
    },
    async claimLeases(keys, reason) {
      const data = await api.call(leaseRoutes.claim, { body: { keys, reason }, query: {}, headers: clock() });
      return data.leases.map(toLease);
    },
    async releaseLeases(keys) {
      const data = await api.call(leaseRoutes.release, { body: keys && keys.length > 0 ? { keys } : {}, headers: clock() });
      return data.released;
    },
    async listLeases() {
      const data = await api.call(leaseRoutes.list, { query: {}, headers: clock() });
      return data.leases.map(toLease);
    },
    async log(entry) {
      await api.call(syncLogRoutes.create, { body: { status: 'success', ...entry }, headers: clock() });
    },
    async getFilter() {
      return toServerFilter(await api.call(syncFilterRoutes.get, { query: {}, headers: clock() }));
    },
    async setFilter(filter) {
      return toServerFilter(await api.call(syncFilterRoutes.set, { body: filter, headers: clock() }));
    },
  };
}
