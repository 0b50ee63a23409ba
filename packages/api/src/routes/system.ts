import { z } from 'zod';
import { defineRoute } from '../contract.js';
import { isoDate } from '../schemas.js';

export const systemRoutes = {
  health: defineRoute({
    id: 'system.health',
    method: 'GET',
    path: '/healthz',
    auth: 'none',
    summary: 'Health: the database and the blob store (reachable and writable)',
    description: 'Any part down → 503 storage_unavailable with details {database, storage} ("ok" | "down") naming it. The blob-store check is cached for 3 s.',
    tags: ['system'],
    response: z.object({ status: z.literal('ok'), database: z.literal('ok'), storage: z.literal('ok'), time: isoDate, version: z.string() }),
    errors: ['storage_unavailable'],
  }),
  openapi: defineRoute({
    id: 'system.openapi',
    method: 'GET',
    path: '/api/openapi.json',
    auth: 'none',
    summary: 'This API as an OpenAPI 3.1 document',
    tags: ['system'],
    response: z.unknown(),
    rawResponse: { contentType: 'application/json' },
  }),
};
