import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allRoutes } from './routes/index.js';
import { generateOpenApi, renderOpenApi } from './openapi.js';

describe('OpenAPI document', () => {
  it('matches the committed packages/api/openapi.json (run `npm run openapi` after changing the contract)', () => {
    const committed = fs.readFileSync(new URL('../openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderOpenApi());
  });

  it('has one operation per contract route, with unique operation ids', () => {
    const doc = generateOpenApi() as { paths: Record<string, Record<string, { operationId: string }>> };
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(ops.sort()).toEqual(allRoutes.map((r) => r.id).sort());
    expect(new Set(ops).size).toBe(ops.length);
  });

  it('describes request bodies with their constraints', () => {
    const doc = generateOpenApi() as any;
    const pair = doc.paths['/api/devices/pair'].post.requestBody.content['application/json'].schema;
    expect(pair.required).toEqual(expect.arrayContaining(['code', 'deviceName', 'deviceType']));
    expect(pair.properties.deviceType.enum).toContain('miyoo_mini');
  });
});
