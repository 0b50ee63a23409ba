/**
 * Contracts of the sync protocol v1: device endpoints (`syncSaveRoutes`, `syncFeedRoutes`) and
 * the signed-in user's save browser (`saveRoutes`). See ARCHITECTURE.md "Sync protocol (v1)".
 */
import { z } from 'zod';
import { defineRoute } from '../contract.js';
import { queryBoolean, subscriptionTier } from '../schemas.js';
import { syncFilter } from './filter.js';
import { SYNC_FILES_TSV_COLUMNS, saveHead, saveSummary, saveVersion, syncFile, uploadResult } from './schemas.js';

const keyParams = z.object({ '*': z.string().min(1).max(2048).describe('the save key, each segment percent-encoded') });
const KEY_EXAMPLE = { '*': 'gba/Pok%C3%A9mon%20Emerald/battery' };

/** Headers every device request may send (sync protocol v1.1, docs/protocol.md "Wire additions"). */
export const CLIENT_TIME_HEADERS =
  '`X-Client-Time` (the device clock now, epoch ms or ISO 8601; corrects skew); `X-Client-Boot` (≤ 64 chars ' +
  '`[A-Za-z0-9._-]`: the device\'s current boot); `X-Client-Uptime` (ms since that boot); `X-Last-Server-Time` ' +
  '(the newest `X-Server-Time` this device has seen, epoch ms); `X-Time-Trust` (`observed` | `untrusted`: the ' +
  'client\'s own verdict on this edit\'s file time). An edit whose time cannot be trusted never wins a conflict. ' +
  'Every reply carries `X-Server-Time` (epoch ms).';

const UPLOAD_HEADERS =
  'Headers: `X-Content-SHA256` (required, lower-case hex of the body); `X-Base-Version` (the version this ' +
  'device last synced; omit for a save new to the device); `X-File-Mtime` (the file time on the device, epoch ms ' +
  'or ISO 8601); ' + CLIENT_TIME_HEADERS + ' `X-Save-Metadata` (optional JSON: ' +
  'gameName, platform, lastPlayed, playTime, deviceName — ASCII JSON, or the JSON base64-encoded for any Unicode). The body is streamed and hashed; a mismatch is 400 ' +
  '`checksum_mismatch` and stores nothing. Outcomes: `accepted` (new head), `unchanged` (same bytes as the head), ' +
  '`conflict_won` (base was stale and this upload wins the conflict rule: new head, the old head is kept ' +
  'as a conflict version), `conflict_lost` (stored as a conflict version; the head stays — download it), ' +
  '`blank_refused` (blank bytes — empty, all 0x00 or all 0xFF — over a non-blank head: stored as a version, the ' +
  'head stays — download it; treat an unknown outcome like `conflict_lost`). ' +
  'The reply repeats the outcome as headers for clients without a JSON parser: `X-Outcome`, `X-Head-Version`, ' +
  '`X-Head-SHA256`, `X-Stored-Version`.';

export const syncSaveRoutes = {
  upload: defineRoute({
    id: 'sync.upload',
    method: 'PUT',
    path: '/api/sync/saves/*',
    auth: 'device',
    summary: 'Upload a save (raw body); the server resolves conflicts and never drops bytes',
    description: UPLOAD_HEADERS,
    tags: ['sync'],
    params: keyParams,
    rawBody: { contentType: 'application/octet-stream', description: 'the save file bytes' },
    response: uploadResult,
    errors: ['invalid_key', 'checksum_mismatch', 'quota_exceeded', 'payload_too_large', 'storage_unavailable', 'save_excluded'],
    example: { params: KEY_EXAMPLE, headers: { 'x-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' } },
  }),
  download: defineRoute({
    id: 'sync.download',
    method: 'GET',
    path: '/api/sync/saves/*',
    auth: 'user_or_device',
    summary: 'Download the head of a save, or any version with ?version=N',
    description:
      'Bytes with `ETag: "<sha256>"`, `X-Version`, `X-Content-SHA256`, `X-Corrected-Mtime`. A deleted head answers 404 ' +
      '`not_found` with details {deleted: true, version}. `GET …/<key>/versions` lists the versions. A client that sends ' +
      '`X-Accept-Presigned: 1` may instead get `307` with the same headers and `Location:` a short-lived presigned GET on ' +
      'the S3 service (when the server stores saves in S3 and presigned downloads are on): fetch it WITHOUT the API key ' +
      'and check the bytes against `X-Content-SHA256`.',
    tags: ['sync'],
    params: keyParams,
    query: z.object({ version: z.coerce.number().int().min(1).optional() }),
    rawResponse: { contentType: 'application/octet-stream', description: 'the save bytes' },
    response: z.unknown(),
    errors: ['invalid_key', 'not_found', 'storage_unavailable', 'save_excluded'],
    example: { params: KEY_EXAMPLE },
  }),
  versions: defineRoute({
    id: 'sync.versions',
    method: 'GET',
    path: '/api/sync/versions/*',
    auth: 'user_or_device',
    summary: "A save's versions, newest first (conflict versions included)",
    description: 'Also answered at `GET /api/sync/saves/<key>/versions` (same reply).',
    tags: ['sync'],
    params: keyParams,
    response: z.object({ key: z.string(), head: z.number().int().nullable(), versions: z.array(saveVersion) }),
    errors: ['invalid_key', 'not_found'],
    example: { params: KEY_EXAMPLE },
  }),
  delete: defineRoute({
    id: 'sync.delete',
    method: 'DELETE',
    path: '/api/sync/saves/*',
    auth: 'device',
    summary: 'Record a deletion as a new version (restorable; history is kept)',
    description:
      'Send `X-Base-Version` like an upload. A deletion whose base is the head becomes the head (a deletion version: ' +
      'the bytes stay in history and can be restored). A modification beats a deletion: a deletion against a changed ' +
      'head is kept as a conflict version (`conflict_lost`) and the head stays. Time headers as for an upload: ' +
      CLIENT_TIME_HEADERS +
      ' Outcome headers as for an upload.',
    tags: ['sync'],
    params: keyParams,
    response: uploadResult,
    errors: ['invalid_key', 'not_found', 'save_excluded'],
    example: { params: KEY_EXAMPLE },
  }),
};

export const syncFeedRoutes = {
  files: defineRoute({
    id: 'sync.files',
    method: 'GET',
    path: '/api/sync/files',
    auth: 'device',
    summary: 'All live heads, or with ?since=<cursor> what changed (deletions included); ?wait=<s> long-polls',
    description:
      'Without `since`: every live head. With `since`: heads changed after that cursor, deleted ones with ' +
      '`deleted: true`. `wait` (≤ 60 s) holds the request until something changes. Keep the returned `cursor` ' +
      'and send it as `since` next time. Filters: `emulator` (system id, e.g. gba) and `game` (case-insensitive ' +
      'substring). TSV (`?format=tsv` or `Accept: text/tab-separated-values`), for busybox clients: a first line ' +
      `of column names (${SYNC_FILES_TSV_COLUMNS.join(', ')}), then one TAB-separated line per file in that order ` +
      '(key: each segment percent-encoded as in URLs, so no TAB/newline/space; deleted: true|false; fileMtime and ' +
      'deviceId empty when unknown), then a last line `#cursor<TAB><N>`. Selective sync: the device\'s filter ' +
      '(GET /api/sync/filter) applies — excluded saves are never listed, and a read whose cursor is older than the ' +
      'filter\'s revision returns everything the filter includes (deletions too), so a changed filter takes effect at ' +
      'the next read. Every answer carries `X-Filter-Revision`.',
    tags: ['sync'],
    query: z.object({
      since: z.coerce.number().int().min(0).optional(),
      wait: z.coerce.number().min(0).max(60).optional(),
      emulator: z.string().max(32).optional(),
      game: z.string().max(200).optional(),
      format: z.enum(['json', 'tsv']).optional(),
    }),
    response: z.object({
      files: z.array(syncFile),
      count: z.number().int(),
      cursor: z.number().int(),
      filter: z
        .object({ revision: z.number().int(), filter: syncFilter })
        .optional()
        .describe("the device's selective-sync filter this answer was read under (also the header X-Filter-Revision); excluded saves are left out"),
    }),
    example: { query: { since: '0' } },
  }),
  events: defineRoute({
    id: 'sync.events',
    method: 'GET',
    path: '/api/sync/events',
    auth: 'user_or_device',
    summary: 'Server-Sent Events: save changes, conflicts, device online/offline, sync-log entries',
    description:
      'Events (each `data:` is JSON): `hello` {cursor, serverTime}; `save` {key, version, sha256, size, deleted, ' +
      'deviceId, cursor}; `conflict` {key, winner: {version, deviceId, correctedMtime}, loser: {…}}; `device` ' +
      '{deviceId, online}; `log` {the sync-log entry}; `lease` {key, deviceId, state: taken | released | contended, ' +
      'byDeviceId?} (a play lease changed, or another device changed a save in use); `key` {deviceId, state: requested | ' +
      'rotated} (the dashboard asked a device to rotate its API key, or it did); `filter` {deviceId, revision} (a device\'s ' +
      'selective-sync filter changed; dashboard streams only — a device is sent `resync` for its own filter, and never ' +
      'events of saves it excludes); `resync` {} (the server may have missed ' +
      'changes: re-read the feed). A `: ping` comment every 25 s keeps proxies open. After a reconnect, catch up with ' +
      'GET /api/sync/files?since=<last cursor>.',
    tags: ['sync'],
    rawResponse: { contentType: 'text/event-stream', description: 'an event stream' },
    response: z.unknown(),
  }),
};

const storageUsage = z.object({
  tier: subscriptionTier,
  usedBytes: z.number().int().min(0),
  limitBytes: z.number().int().min(0).nullable(),
});

export const saveRoutes = {
  list: defineRoute({
    id: 'saves.list',
    method: 'GET',
    path: '/api/saves',
    auth: 'user',
    summary: "The user's saves (heads with metadata), filterable by system and game",
    tags: ['saves'],
    query: z.object({
      system: z.string().max(32).optional(),
      game: z.string().max(200).optional(),
      includeDeleted: queryBoolean.optional(),
    }),
    response: z.object({ saves: z.array(saveSummary), count: z.number().int() }),
    tsv: { rows: 'saves', columns: ['key', 'version', 'size', 'deleted', 'updatedAt', 'conflictCount'] },
  }),
  deleteVersions: defineRoute({
    id: 'saves.deleteVersions',
    method: 'POST',
    path: '/api/saves/versions/delete',
    auth: 'user',
    summary: 'Delete old versions of a save for good (never its current version)',
    description:
      'Frees storage: the listed versions and, once no other version holds the same bytes, their bytes are removed ' +
      'at once; `usage` is the storage use afterwards. The head cannot be deleted (409 `version_is_head`: delete ' +
      'the whole save, or restore another version first). Versions that do not exist are 404 `not_found` and ' +
      'nothing is deleted.',
    tags: ['saves'],
    body: z.object({ key: z.string().min(1).max(1024), versions: z.array(z.number().int().min(1)).min(1).max(1000) }),
    response: z.object({ key: z.string(), deleted: z.array(z.number().int()), usage: storageUsage }),
    errors: ['invalid_key', 'not_found', 'version_is_head', 'storage_unavailable'],
    example: { body: { key: 'gba/Game/battery', versions: [1] } },
  }),
  deleteSave: defineRoute({
    id: 'saves.delete',
    method: 'POST',
    path: '/api/saves/delete',
    auth: 'user',
    summary: 'Delete a whole save everywhere: every version and its bytes',
    description:
      'Removes every version of the save and frees their bytes at once (`usage` is the storage use afterwards). A ' +
      'deletion takes their place as the head (holding no bytes), so each device moves its copy into its local ' +
      'backups on its next sync instead of uploading it again. This cannot be undone from the server; a device that ' +
      'changed the save meanwhile uploads it as an edit (a modification beats a deletion).',
    tags: ['saves'],
    body: z.object({ key: z.string().min(1).max(1024) }),
    response: z.object({ key: z.string(), deletedVersions: z.number().int(), head: saveHead, usage: storageUsage }),
    errors: ['invalid_key', 'not_found', 'storage_unavailable'],
    example: { body: { key: 'gba/Game/battery' } },
  }),
  usage: defineRoute({
    id: 'saves.usage',
    method: 'GET',
    path: '/api/saves/usage',
    auth: 'user',
    summary: "Storage used by the user's saves against their plan's quota",
    description: 'Identical bytes count once, however many versions or saves hold them. `limitBytes` null = unlimited.',
    tags: ['saves'],
    response: storageUsage,
    example: {},
  }),
  restore: defineRoute({
    id: 'saves.restore',
    method: 'POST',
    path: '/api/saves/restore',
    auth: 'user',
    summary: 'Make an older version (or a conflict version) the head again, as a new version',
    tags: ['saves'],
    body: z.object({ key: z.string().min(1).max(1024), version: z.number().int().min(1) }),
    response: uploadResult,
    errors: ['invalid_key', 'not_found', 'storage_unavailable'],
    example: { body: { key: 'gba/Game/battery', version: 1 } },
  }),
};
