/**
 * Device save endpoints: PUT/GET/DELETE /api/sync/saves/<key> and GET …/<key>/versions.
 * Thin: parse headers, call SyncService, shape the reply. The key is taken from the raw URL and
 * decoded one segment at a time, so an encoded `/` inside a segment can never add a segment.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, syncSaveRoutes, type UploadResult } from '@retrosync/api';
import { InvalidSaveKeyError, decodeSaveKeyPath, parseSaveKey, parseTimeHeader, parseTimeTrust } from '@retrosync/core';
import { registerRoute, SENT } from '../http/register-route.js';
import { findSave, listVersions } from '../sync/save-queries.js';
import type { ClientClockHeaders, SyncService } from '../sync/sync-service.js';
import type { WriteVersionResult } from '../sync/version-writer.js';
import { toSaveHead, toSaveVersion } from '../sync/wire.js';
import type { LeaseService } from '../lease/lease-service.js';

const PREFIX = '/api/sync/saves/';
const VERSIONS_PREFIX = '/api/sync/versions/';

/** The save key of a request to `/api/sync/saves/<key>[/versions]` (or `/api/sync/versions/<key>`); 400 `invalid_key` when malformed. */
export function keyFromUrl(req: FastifyRequest, prefix = PREFIX): { key: string; versions: boolean } {
  const path = (req.raw.url ?? '').split('?')[0] ?? '';
  let rest = path.startsWith(prefix) ? path.slice(prefix.length) : '';
  const versions = prefix === PREFIX && rest.endsWith('/versions');
  if (versions) rest = rest.slice(0, -'/versions'.length);
  try {
    const key = decodeSaveKeyPath(rest);
    parseSaveKey(key);
    return { key: key.normalize('NFC'), versions };
  } catch (err) {
    if (err instanceof InvalidSaveKeyError) throw new ApiError('invalid_key', `The save key is not valid: ${err.reason}.`, { key: err.key, reason: err.reason });
    throw err;
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function headerIssue(field: string, message: string): ApiError {
  return new ApiError('validation_failed', `Header ${field}: ${message}.`, { fields: [{ in: 'headers', field, message }] });
}

function optionalTime(req: FastifyRequest, name: string): number | null {
  const raw = header(req, name);
  if (raw === undefined || raw.trim() === '') return null;
  const t = parseTimeHeader(raw);
  if (t === null) throw headerIssue(name, 'expected epoch milliseconds or an ISO 8601 time');
  return t;
}

function baseVersion(req: FastifyRequest): number | null {
  const raw = header(req, 'x-base-version');
  if (raw === undefined || raw.trim() === '') return null;
  if (!/^\d{1,9}$/.test(raw.trim()) || Number(raw) < 1) throw headerIssue('x-base-version', 'expected a version number ≥ 1');
  return Number(raw);
}

/**
 * The v1.1 time headers (docs/protocol.md "Wire additions"): `X-Client-Boot`, `X-Client-Uptime`,
 * `X-Last-Server-Time`, `X-Time-Trust`. All optional; a malformed one is 400 `validation_failed`
 * naming the header (nothing is stored).
 */
export function clientClockHeaders(req: FastifyRequest): ClientClockHeaders & { clientTime: number | null } {
  const boot = header(req, 'x-client-boot')?.trim() || null;
  if (boot !== null && !/^[A-Za-z0-9._-]{1,64}$/.test(boot)) throw headerIssue('x-client-boot', 'expected at most 64 characters of A-Z a-z 0-9 . _ -');
  const uptime = header(req, 'x-client-uptime')?.trim() || null;
  if (uptime !== null && !/^\d{1,15}$/.test(uptime)) throw headerIssue('x-client-uptime', 'expected milliseconds since boot (a whole number ≥ 0)');
  let timeTrust: ClientClockHeaders['timeTrust'];
  try {
    timeTrust = parseTimeTrust(header(req, 'x-time-trust'));
  } catch {
    throw headerIssue('x-time-trust', 'expected observed or untrusted');
  }
  return {
    clientTime: optionalTime(req, 'x-client-time'),
    boot,
    uptimeMs: uptime === null ? null : Number(uptime),
    lastServerTime: optionalTime(req, 'x-last-server-time'),
    timeTrust,
  };
}

export function toUploadResult(r: WriteVersionResult): UploadResult {
  if (!r.head || !r.stored) throw new ApiError('not_found', 'No save with this key.');
  return { outcome: r.outcome, head: toSaveHead(r.save, r.head), stored: { version: r.stored.version } };
}

/**
 * The outcome of an upload or deletion also as headers (`X-Outcome`, `X-Head-Version`,
 * `X-Head-SHA256`, `X-Stored-Version`), so a busybox client reads it without a JSON parser.
 */
function withOutcomeHeaders(reply: FastifyReply, result: UploadResult): UploadResult {
  reply
    .header('x-outcome', result.outcome)
    .header('x-head-version', String(result.head.version))
    .header('x-head-sha256', result.head.sha256)
    .header('x-stored-version', String(result.stored.version));
  return result;
}

/** Presigned downloads (S3 only): see README → "Presigned downloads". */
export interface PresignOptions {
  enabled: boolean;
  ttlSeconds: number;
}

/** A client that sends `X-Accept-Presigned: 1` follows a 307 to the S3 service (without its API key) and verifies the SHA-256 it was given. */
function wantsPresigned(req: FastifyRequest): boolean {
  return header(req, 'x-accept-presigned')?.trim() === '1';
}

/**
 * Play lease warning (lease/lease-service.ts): when another device holds a live lease on the save,
 * the reply names it in `data.lease` and in headers for busybox clients: `X-Lease-Device` (its name,
 * percent-encoded), `X-Lease-Device-Id`, `X-Lease-Since` (epoch ms, server clock).
 */
async function withLeaseWarning(reply: FastifyReply, result: UploadResult, leases: LeaseService | undefined, userId: string, deviceId: string): Promise<UploadResult> {
  const lease = await leases?.heldByOther(userId, result.head.key, deviceId);
  if (!lease) return result;
  const { held: _held, ...wire } = lease;
  reply.header('x-lease-device', encodeURIComponent(lease.deviceName)).header('x-lease-device-id', lease.deviceId).header('x-lease-since', String(Date.parse(lease.since)));
  return { ...result, lease: wire };
}

export function registerSyncSaveRoutes(app: FastifyInstance, sync: SyncService, options: { presign?: PresignOptions | undefined; leases?: LeaseService | undefined } = {}): void {
  const presign = options.presign?.enabled && sync.deps.blobs.presignGet ? options.presign : null;
  registerRoute(app, syncSaveRoutes.upload, async ({ req, reply, auth, rawBody }) => {
    const { key } = keyFromUrl(req);
    // Selective sync: a save this device excludes never comes from it (before reading the body).
    await sync.filters.assertAllowed(auth.userId, auth.deviceId, key);
    const sha = header(req, 'x-content-sha256')?.trim().toLowerCase();
    if (!sha) throw headerIssue('x-content-sha256', 'required: the lower-case hex SHA-256 of the body');
    if (!/^[0-9a-f]{64}$/.test(sha)) throw headerIssue('x-content-sha256', 'expected 64 hex characters');
    const length = header(req, 'content-length');
    const result = await sync.upload({
      userId: auth.userId,
      deviceId: auth.deviceId,
      key,
      body: rawBody!,
      sha256: sha,
      baseVersion: baseVersion(req),
      fileMtime: optionalTime(req, 'x-file-mtime'),
      ...clientClockHeaders(req),
      metadata: header(req, 'x-save-metadata') ?? null,
      contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : null,
    });
    return withLeaseWarning(reply, withOutcomeHeaders(reply, toUploadResult(result)), options.leases, auth.userId, auth.deviceId);
  });

  const versionsOf = async (userId: string, key: string) => {
    const save = await findSave(sync.deps.db, userId, key);
    if (!save) throw new ApiError('not_found', 'No save with this key.');
    const rows = await listVersions(sync.deps.db, save);
    return { key: save.key, head: save.head_version, versions: rows.map((v) => toSaveVersion(save, v)) };
  };

  registerRoute(app, syncSaveRoutes.versions, async ({ req, auth }) => versionsOf(auth.userId, keyFromUrl(req, VERSIONS_PREFIX).key));

  registerRoute(app, syncSaveRoutes.download, async ({ req, reply, auth, query }) => {
    const { key, versions } = keyFromUrl(req);
    if (versions) {
      // `/api/sync/saves/<key>/versions`: the issue's spelling of sync.versions.
      reply.type('application/json; charset=utf-8').send({ success: true, data: await versionsOf(auth.userId, key) });
      return SENT;
    }
    // Selective sync: never hand a device a save its filter excludes.
    if (auth.kind === 'device') await sync.filters.assertAllowed(auth.userId, auth.deviceId, key);
    const { save, version } = await sync.locateDownload(auth.userId, key, query.version);
    reply
      .header('etag', `"${version.sha256}"`)
      .header('x-version', String(version.version))
      .header('x-head-version', String(save.head_version ?? ''))
      .header('x-content-sha256', version.sha256)
      .header('x-corrected-mtime', String(version.corrected_mtime))
      .header('cache-control', 'private, no-cache');
    if (version.file_mtime !== null) reply.header('x-file-mtime', String(version.file_mtime));
    const inm = header(req, 'if-none-match');
    if (inm && inm.split(',').some((t) => t.trim() === `"${version.sha256}"`)) {
      reply.code(304).send();
      return SENT;
    }
    if (presign && wantsPresigned(req)) {
      // The bytes come straight from the S3 service; the headers above (SHA-256, version, times)
      // travel with the redirect so the client can verify what it then downloads.
      const url = await sync.deps.blobs.presignGet!(auth.userId, version.sha256, presign.ttlSeconds);
      reply.code(307).header('location', url).header('x-presigned', '1').header('content-length', '0').send();
      return SENT;
    }
    const body = await sync.deps.blobs.get(auth.userId, version.sha256);
    reply.header('content-type', 'application/octet-stream').header('content-length', String(version.size));
    reply.send(body);
    return SENT;
  });

  registerRoute(app, syncSaveRoutes.delete, async ({ req, reply, auth }) => {
    const { key } = keyFromUrl(req);
    await sync.filters.assertAllowed(auth.userId, auth.deviceId, key);
    const result = await sync.delete({
      userId: auth.userId,
      deviceId: auth.deviceId,
      key,
      baseVersion: baseVersion(req),
      fileMtime: optionalTime(req, 'x-file-mtime'),
      ...clientClockHeaders(req),
    });
    return withLeaseWarning(reply, withOutcomeHeaders(reply, toUploadResult(result)), options.leases, auth.userId, auth.deviceId);
  });
}
