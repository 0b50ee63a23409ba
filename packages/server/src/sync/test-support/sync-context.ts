/**
 * Test contexts for the sync protocol on both stacks: SQLite + blob folder, and PostgreSQL +
 * S3 (an s3rver started for the context; it does not check signatures). `TEST_DATABASES`
 * picks which run, as for every other test.
 *
 *   describe.each(syncTargets())('%s', (target) => { const ctx = await createSyncTestContext(target); … });
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../app.js';
import { openDatabase } from '../../db/open.js';
import { encodeSaveKeyPath } from '@retrosync/core';
import { startS3rver } from '../../storage/blob/test-support/s3rver.js';
import { createTestContext, databaseTargets, deviceHeaders, type DatabaseTarget, type TestContext, type TestContextOptions } from '../../test-support/index.js';

export type SyncTarget = 'sqlite+folder' | 'postgres+s3';

export function syncTargets(): SyncTarget[] {
  return databaseTargets().map((t: DatabaseTarget) => (t === 'sqlite' ? 'sqlite+folder' : 'postgres+s3'));
}

export async function createSyncTestContext(target: SyncTarget, options: TestContextOptions = {}): Promise<TestContext> {
  if (target === 'sqlite+folder') return createTestContext('sqlite', options);
  const s3 = await startS3rver();
  try {
    const ctx = await createTestContext('postgres', {
      ...options,
      configure: (c) => {
        const withS3 = { ...c, s3: { endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket: 'retrosync-test', region: 'us-east-1' } };
        return options.configure ? options.configure(withS3) : withS3;
      },
    });
    return {
      ...ctx,
      async close() {
        await ctx.close();
        await s3.stop();
      },
    };
  } catch (err) {
    await s3.stop();
    throw err;
  }
}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export interface UploadOptions {
  base?: number | null;
  mtime?: number;
  clientTime?: number;
  metadata?: unknown;
  sha?: string;
  /** `X-Client-Boot`. */
  boot?: string;
  /** `X-Time-Trust`. */
  trust?: 'observed' | 'untrusted';
  /** Any other headers. */
  headers?: Record<string, string>;
}

export function saveUrl(key: string, suffix = ''): string {
  return `/api/sync/saves/${encodeSaveKeyPath(key)}${suffix}`;
}

export async function upload(ctx: TestContext, apiKey: string, key: string, bytes: Buffer | string, o: UploadOptions = {}): Promise<LightMyRequestResponse> {
  const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const headers: Record<string, string> = {
    ...deviceHeaders(apiKey),
    'content-type': 'application/octet-stream',
    'x-content-sha256': o.sha ?? sha256(body),
  };
  if (o.base != null) headers['x-base-version'] = String(o.base);
  if (o.mtime !== undefined) headers['x-file-mtime'] = String(o.mtime);
  if (o.clientTime !== undefined) headers['x-client-time'] = String(o.clientTime);
  if (o.metadata !== undefined) headers['x-save-metadata'] = JSON.stringify(o.metadata);
  if (o.boot !== undefined) headers['x-client-boot'] = o.boot;
  if (o.trust !== undefined) headers['x-time-trust'] = o.trust;
  Object.assign(headers, o.headers);
  return ctx.app.inject({ method: 'PUT', url: saveUrl(key), headers, payload: body });
}

/** DELETE of a save from a device, with the same options as {@link upload} (no body). */
export async function remove(ctx: TestContext, apiKey: string, key: string, o: Omit<UploadOptions, 'metadata' | 'sha'> = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...deviceHeaders(apiKey) };
  if (o.base != null) headers['x-base-version'] = String(o.base);
  if (o.mtime !== undefined) headers['x-file-mtime'] = String(o.mtime);
  if (o.clientTime !== undefined) headers['x-client-time'] = String(o.clientTime);
  if (o.boot !== undefined) headers['x-client-boot'] = o.boot;
  if (o.trust !== undefined) headers['x-time-trust'] = o.trust;
  Object.assign(headers, o.headers);
  return ctx.app.inject({ method: 'DELETE', url: saveUrl(key), headers });
}

/**
 * The context's app and, on PostgreSQL, a second app on the same database and bucket (two
 * replicas behind a load balancer). On SQLite (one embedded process) only the context's app.
 */
export async function replicasOf(ctx: TestContext): Promise<{ apps: FastifyInstance[]; close(): Promise<void> }> {
  if (ctx.dialect !== 'postgres') return { apps: [ctx.app], close: async () => {} };
  const opened = await openDatabase(ctx.config.database, { poolSize: 4 });
  const second = await buildApp({ config: ctx.config, db: opened.db, dialect: opened.dialect, jwtSecret: ctx.jwtSecret, clock: ctx.clock, logger: false });
  await second.ready();
  return {
    apps: [ctx.app, second],
    async close() {
      await second.close();
      await opened.close();
    },
  };
}
