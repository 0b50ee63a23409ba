/** The signed-in user's save browser: list saves, restore a version. (History and downloads: sync-saves.ts.) */
import type { FastifyInstance } from 'fastify';
import { saveRoutes } from '@retrosync/api';
import { normalizeName } from '@retrosync/core';
import { registerRoute } from '../http/register-route.js';
import { usageOf } from '../sync/quota.js';
import { selectHeads, versionCounts } from '../sync/save-queries.js';
import type { SyncService } from '../sync/sync-service.js';
import { toSaveHead, toSyncFile } from '../sync/wire.js';
import { toUploadResult } from './sync-saves.js';

export function registerSaveRoutes(app: FastifyInstance, sync: SyncService): void {
  registerRoute(app, saveRoutes.list, async ({ auth, query }) => {
    const [pairs, counts] = await Promise.all([selectHeads(sync.deps.db, auth.userId), versionCounts(sync.deps.db, auth.userId)]);
    const game = query.game ? normalizeName(query.game) : undefined;
    const saves = pairs
      .filter((p) => query.includeDeleted || p.head.deleted === 0)
      .filter((p) => !query.system || p.save.system === query.system.toLowerCase())
      .filter((p) => !game || p.save.game_norm.includes(game))
      .sort((a, b) => a.save.system.localeCompare(b.save.system) || a.save.game_norm.localeCompare(b.save.game_norm) || a.save.kind.localeCompare(b.save.kind))
      .map((p) => {
        const c = counts.get(p.save.id) ?? { versions: 0, conflicts: 0 };
        return { ...toSyncFile(p.save, p.head), versionCount: c.versions, conflictCount: c.conflicts };
      });
    return { saves, count: saves.length };
  });

  registerRoute(app, saveRoutes.usage, ({ auth }) => usageOf(sync.deps.db, sync.deps.quota, auth.userId));

  registerRoute(app, saveRoutes.restore, async ({ auth, body }) => {
    return toUploadResult(await sync.restore(auth.userId, body.key, body.version));
  });

  registerRoute(app, saveRoutes.deleteVersions, async ({ auth, body }) => {
    const { key, deleted } = await sync.removal.deleteVersions(auth.userId, body.key, body.versions);
    return { key, deleted, usage: await usageOf(sync.deps.db, sync.deps.quota, auth.userId) };
  });

  registerRoute(app, saveRoutes.deleteSave, async ({ auth, body }) => {
    const r = await sync.removal.deleteSave(auth.userId, body.key);
    return { key: r.save.key, deletedVersions: r.deletedVersions, head: toSaveHead(r.save, r.head), usage: await usageOf(sync.deps.db, sync.deps.quota, auth.userId) };
  });
}
