import { z } from 'zod';
import { defineRoute } from '../contract.js';
import { isoDate, syncAction, syncLog, syncStatus } from '../schemas.js';

export const heartbeatRoutes = {
  heartbeat: defineRoute({
    id: 'sync.heartbeat',
    method: 'POST',
    path: '/api/sync/heartbeat',
    auth: 'device',
    summary: 'Device check-in: records client version and clock offset, returns server time and intervals',
    description:
      'Send the device clock in the `X-Client-Time` header (ISO 8601 or epoch milliseconds). ' +
      'The server stores `clockOffsetMs = clientTime - serverTime` and uses it to correct file times.',
    tags: ['sync'],
    body: z
      .object({
        clientVersion: z.string().trim().min(1).max(64).optional(),
        platform: z.string().trim().min(1).max(64).optional(),
      })
      .optional(),
    response: z.object({
      deviceId: z.string(),
      deviceName: z.string(),
      lastSyncAt: isoDate,
      serverTime: isoDate,
      clockOffsetMs: z.number().int().nullable(),
      heartbeatIntervalSeconds: z.number().int(),
      pollIntervalSeconds: z.number().int(),
      onlineWindowSeconds: z.number().int(),
      keyRotation: z
        .enum(['requested'])
        .nullable()
        .optional()
        .describe('"requested": the dashboard asked this device to rotate its API key (POST /api/devices/key/rotate)'),
    }),
    example: { body: { clientVersion: '1.0.0' }, headers: { 'x-client-time': '2026-01-01T00:00:00.000Z' } },
  }),
};

export const syncLogRoutes = {
  create: defineRoute({
    id: 'syncLog.create',
    method: 'POST',
    path: '/api/sync/log',
    auth: 'device',
    summary: 'Record a sync event from the device',
    tags: ['sync'],
    body: z.object({
      action: syncAction,
      filePath: z.string().min(1).max(1024),
      fileSize: z.number().int().min(0).optional(),
      status: syncStatus.default('success'),
      errorMsg: z.string().max(2000).optional(),
      metadata: z
        .string()
        .max(8192)
        .refine((s) => {
          try {
            JSON.parse(s);
            return true;
          } catch {
            return false;
          }
        }, 'must be a JSON string')
        .optional(),
    }),
    response: z.object({ log: syncLog }),
    successStatus: 201,
    example: { body: { action: 'upload', filePath: 'gba/Game.sav' } },
  }),
  list: defineRoute({
    id: 'syncLog.list',
    method: 'GET',
    path: '/api/sync/log',
    auth: 'user_or_device',
    summary: "Sync history: a device key sees its own log, a user all of the user's devices",
    tags: ['sync'],
    query: z.object({
      deviceId: z.string().min(1).max(64).optional(),
      action: syncAction.optional(),
      status: syncStatus.optional(),
      limit: z.coerce.number().int().min(1).max(100).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    response: z.object({
      logs: z.array(syncLog),
      total: z.number().int(),
      limit: z.number().int(),
      offset: z.number().int(),
    }),
    tsv: {
      rows: 'logs',
      columns: ['createdAt', 'deviceId', 'action', 'status', 'filePath', 'fileSize', 'errorMsg'],
    },
    errors: ['forbidden'],
    example: { query: { deviceId: '{victimDeviceId}' } },
  }),
};
