/**
 * GET /api/sync/files — heads, change feed and long poll, as JSON or TSV.
 *
 * TSV (`?format=tsv` or `Accept: text/tab-separated-values`), for busybox clients:
 *   line 1      column names: key version sha256 size deleted correctedMtime fileMtime deviceId cursor
 *   then        one line per file, TAB-separated, in that order:
 *                 key            the save key with each segment percent-encoded (as in URLs), so it
 *                                never holds TAB, newline or a literal space
 *                 version        head version number
 *                 sha256         lower-case hex
 *                 size           bytes
 *                 deleted        true | false (only `since` replies contain deleted heads)
 *                 correctedMtime epoch ms on the server clock
 *                 fileMtime      the uploading device's own file time, epoch ms; empty if unknown
 *                 deviceId       uploading device; empty for a restore by the user
 *                 cursor         feed position of this change
 *   last line   `#cursor<TAB><N>` — send N as `since` next time.
 */
import type { FastifyInstance } from 'fastify';
import { SYNC_FILES_TSV_COLUMNS, syncFeedRoutes, type SyncFile } from '@retrosync/api';
import { encodeSaveKeyPath } from '@retrosync/core';
import { registerRoute, SENT } from '../http/register-route.js';
import { wantsTsv } from '../http/tsv.js';
import type { FeedPage } from '../sync/change-feed.js';
import type { SyncService } from '../sync/sync-service.js';

export function feedToTsv(page: FeedPage): string {
  const cell = (f: SyncFile, c: (typeof SYNC_FILES_TSV_COLUMNS)[number]): string => {
    if (c === 'key') return encodeSaveKeyPath(f.key);
    const v = f[c];
    return v === null || v === undefined ? '' : String(v);
  };
  const lines = [SYNC_FILES_TSV_COLUMNS.join('\t')];
  for (const f of page.files) lines.push(SYNC_FILES_TSV_COLUMNS.map((c) => cell(f, c)).join('\t'));
  lines.push(`#cursor\t${page.cursor}`);
  return `${lines.join('\n')}\n`;
}

export function registerSyncFileRoutes(app: FastifyInstance, sync: SyncService, closing?: AbortSignal): void {
  registerRoute(app, syncFeedRoutes.files, async ({ req, reply, auth, query }) => {
    const abort = new AbortController();
    const onClose = () => abort.abort();
    reply.raw.on('close', onClose);
    try {
      // Selective sync: the device's own filter decides what it sees (sync/device-filters.ts).
      const deviceFilter = () => sync.filters.load(auth.userId, auth.deviceId);
      const filters = { since: query.since, emulator: query.emulator, game: query.game, deviceFilter };
      const signal = closing ? AbortSignal.any([abort.signal, closing]) : abort.signal;
      const page = await sync.feed.waitFor(auth.userId, filters, (query.wait ?? 0) * 1000, signal);
      reply.header('x-filter-revision', String(page.filter?.revision ?? 0));
      if (query.format === 'tsv' || (query.format !== 'json' && wantsTsv(req, {}))) {
        reply.type('text/tab-separated-values; charset=utf-8').send(feedToTsv(page));
        return SENT;
      }
      return page;
    } finally {
      reply.raw.off('close', onClose);
    }
  });
}
