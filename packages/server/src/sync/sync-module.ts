/**
 * Wires the sync protocol from the configuration: blob store (folder under DATA_DIR, or S3 when
 * MINIO_ENDPOINT is set), event hub (in-process on SQLite, LISTEN/NOTIFY on PostgreSQL), the
 * service, and the maintenance loop (retention, blob garbage collection, temp clean-up).
 */
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics/metrics.js';
import { LocalEventHub, type EventHub } from '../events/event-hub.js';
import { PgEventHub } from '../events/pg-event-hub.js';
import { FsBlobStore } from '../storage/blob/fs-blob-store.js';
import { openBlobStore, type BlobStore } from '../storage/blob/index.js';
import { applyRetention, collectGarbage } from './retention.js';
import type { SyncDb } from './schema.js';
import { SyncService } from './sync-service.js';
import { sweepSpool } from './upload-spool.js';
import type { WebhookOutbox } from '../webhooks/outbox.js';

/** Largest save accepted (bytes). Saves are KBs to a few MBs; states of disc systems can reach hundreds of MB. */
export const DEFAULT_MAX_SAVE_BYTES = 2 * 1024 * 1024 * 1024;
/** Unreferenced blobs younger than this are spared (their version may still be committing). */
export const GC_GRACE_MS = 60 * 60 * 1000;
const MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;
/** Spool files older than this can not belong to a live upload on another replica (2 × the default stall bound). */
const STARTUP_SPOOL_GRACE_MS = 2 * 60 * 1000;

export interface SyncModuleOptions {
  config: Pick<Config, 'dataDir' | 's3' | 'quotaBytes' | 'retention' | 'database'> & Partial<Pick<Config, 'presignedDownloads'>>;
  db: Kysely<any>;
  clock: Clock;
  /** Overrides (tests, benches). */
  blobs?: BlobStore;
  events?: EventHub;
  maxSaveBytes?: number;
  /** Storage retries/failures and event-bus lag are reported here. */
  metrics?: Metrics;
  /** Where save and conflict events become webhook deliveries, in the version's transaction. */
  webhooks?: WebhookOutbox;
  /** Run maintenance every hour (default true). */
  maintenance?: boolean;
  /**
   * The first full run (retention, GC, added tasks) comes this long after start-up (default
   * 60 s): a server restarted more often than hourly (a laptop, a NAS that sleeps) would
   * otherwise never apply retention.
   */
  firstMaintenanceMs?: number;
}

export interface MaintenanceResult {
  expiredConflicts: number;
  thinnedVersions: number;
  removedBlobs: number;
}

export interface SyncModule {
  service: SyncService;
  blobs: BlobStore;
  events: EventHub;
  runMaintenance(): Promise<MaintenanceResult>;
  /** Adds work to every maintenance run, after retention and GC (e.g. the audit log's pruning). */
  onMaintenance(task: () => Promise<unknown>): void;
  close(): Promise<void>;
}

export async function createSyncModule(options: SyncModuleOptions): Promise<SyncModule> {
  const { config, clock } = options;
  const db = options.db as SyncDb;
  const blobRoot = join(config.dataDir, 'blobs');
  const metrics = options.metrics;
  const publicEndpoint = config.presignedDownloads?.enabled ? config.presignedDownloads.endpoint : null;
  const blobs =
    options.blobs ??
    openBlobStore(config.s3 ? { type: 's3', ...config.s3, ...(publicEndpoint ? { publicEndpoint } : {}) } : { type: 'fs', root: blobRoot }, {
      onRetry: (operation) => metrics?.storageRetries.inc({ operation }),
      onGiveUp: (operation) => metrics?.storageFailures.inc({ operation }),
    });
  const events =
    options.events ??
    (config.database.kind === 'postgres'
      ? await PgEventHub.start(config.database.url, db, { onLag: (ms) => metrics?.busLag.observe(ms / 1000) })
      : new LocalEventHub());
  const spoolDir = join(config.dataDir, 'tmp', 'uploads');
  const service = new SyncService({
    db,
    blobs,
    events,
    clock,
    quota: config.quotaBytes,
    spoolDir,
    maxUploadBytes: options.maxSaveBytes ?? DEFAULT_MAX_SAVE_BYTES,
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  });

  const tasks: Array<() => Promise<unknown>> = [];

  async function runMaintenance() {
    const now = clock.now();
    const retention = await applyRetention(db, {
      keepSupersededSince: now - config.retention.days * 86_400_000,
      versionsPerSave: config.retention.versionsPerSave,
    });
    // Blob and spool ages are file-system times, on the OS clock.
    const fsNow = now - (clock.skewMs ?? 0);
    const gc = await collectGarbage(db, blobs, fsNow, GC_GRACE_MS);
    await sweepSpool(spoolDir, GC_GRACE_MS, fsNow);
    if (!config.s3) await new FsBlobStore(blobRoot).sweepTemp(GC_GRACE_MS);
    for (const task of tasks) await task();
    return { ...retention, removedBlobs: gc.removed };
  }

  let timer: NodeJS.Timeout | undefined;
  let first: NodeJS.Timeout | undefined;
  if (options.maintenance !== false) {
    // A crash may have left spool files, store temp files and blobs whose version never
    // committed: clear them at start-up, then hourly retention + GC. SQLite means one server
    // process, so nothing is in flight yet and everything left over is garbage; with PostgreSQL
    // other replicas may be mid-upload, so the grace periods apply (a live upload moves at least
    // every UPLOAD_STALL_MS, so its spool file is never older than STARTUP_SPOOL_GRACE_MS).
    const single = config.database.kind === 'sqlite';
    await sweepSpool(spoolDir, single ? 0 : STARTUP_SPOOL_GRACE_MS, single ? Number.MAX_SAFE_INTEGER : Date.now()).catch(() => 0);
    if (!config.s3) await new FsBlobStore(blobRoot).sweepTemp(single ? 0 : STARTUP_SPOOL_GRACE_MS).catch(() => 0);
    // Listing a large S3 bucket takes a while: with replicas (and their grace period) it runs behind.
    const gc = collectGarbage(db, blobs, single ? Number.MAX_SAFE_INTEGER : Date.now(), single ? 0 : GC_GRACE_MS).catch(() => undefined);
    if (single) await gc;
    first = setTimeout(() => void runMaintenance().catch(() => {}), options.firstMaintenanceMs ?? 60_000);
    first.unref();
    timer = setInterval(() => void runMaintenance().catch(() => {}), MAINTENANCE_INTERVAL_MS);
    timer.unref();
  }

  return {
    service,
    blobs,
    events,
    runMaintenance,
    onMaintenance(task) {
      tasks.push(task);
    },
    async close() {
      if (timer) clearInterval(timer);
      if (first) clearTimeout(first);
      await events.close();
      await blobs.close();
    },
  };
}
