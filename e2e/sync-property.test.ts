/**
 * Property: random interleavings of uploads from 3 devices (random bases, random clock offsets,
 * repeated uploads of the same bytes) never lose a save.
 *   1. every distinct content the server ever stored is still retrievable, byte for byte;
 *   2. the head is always what the conflict rule says: a fast-forward from the head, or the
 *      corrected-time winner of a conflict (checked against the pure model and by time);
 *   3. every device that follows the change feed ends on the head.
 * Runs over HTTP (inject) against the real server on each stack.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideUpload, planSync, type HeadStamp } from '@retrosync/core';
import { deviceHeaders, expectJson, pairDevice, registerUser, type TestContext } from '../packages/server/src/test-support/index.js';
import { createSyncTestContext, saveUrl, sha256, syncTargets, upload } from '../packages/server/src/sync/test-support/sync-context.js';

const KEY = 'gba/Property Test/battery';
const CONTENTS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];

type Cmd =
  | { t: 'edit'; d: number; content: number; ageMs: number; staleBase: boolean }
  | { t: 'reupload'; d: number }
  | { t: 'sync'; d: number }
  | { t: 'tick'; ms: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ t: fc.constant('edit' as const), d: fc.nat(2), content: fc.nat(CONTENTS.length - 1), ageMs: fc.integer({ min: 0, max: 120_000 }), staleBase: fc.boolean() }),
  fc.record({ t: fc.constant('reupload' as const), d: fc.nat(2) }),
  fc.record({ t: fc.constant('sync' as const), d: fc.nat(2) }),
  fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 600_000 }) }),
);

interface Device {
  apiKey: string;
  offset: number;
  local: string | null;
  localMtime: number;
  synced: { version: number; sha256: string | null } | null;
  cursor: number;
  everSeen: number[];
}

describe.each(syncTargets())('sync protocol property on %s', (target) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createSyncTestContext(target, { env: { RETENTION_VERSIONS: '10000' } });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  async function download(d: Device, version?: number): Promise<{ body: string; version: number }> {
    const res = await ctx.app.inject({ method: 'GET', url: `${saveUrl(KEY)}${version ? `?version=${version}` : ''}`, headers: deviceHeaders(d.apiKey) });
    expect(res.statusCode).toBe(200);
    return { body: res.body, version: Number(res.headers['x-version']) };
  }

  it('never loses a save and converges on the corrected-time winner', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 5, maxLength: 30 }), fc.array(fc.integer({ min: -7_200_000, max: 7_200_000 }), { minLength: 3, maxLength: 3 }), async (cmds, offsets) => {
        const user = await registerUser(ctx);
        const devices: Device[] = [];
        for (let i = 0; i < 3; i++) {
          const p = await pairDevice(ctx, user.token, { deviceName: `dev${i}` });
          devices.push({ apiKey: p.apiKey, offset: offsets[i]!, local: null, localMtime: 0, synced: null, cursor: 0, everSeen: [] });
        }
        let model: HeadStamp | null = null;
        const stored = new Map<number, string>(); // version → content, for every version the server created

        const send = async (d: Device, base: number | null) => {
          const now = ctx.clock.now();
          const corrected = Math.min(d.localMtime - d.offset, now);
          const res = expectJson(await upload(ctx, d.apiKey, KEY, d.local!, { base, mtime: d.localMtime, clientTime: now + d.offset }), 200).data;
          const expected = decideUpload(model, { baseVersion: base, sha256: sha256(d.local!), correctedMtime: corrected, deleted: false });
          expect(res.outcome).toBe(expected.outcome);
          if (res.outcome === 'conflict_won') expect(corrected).toBeGreaterThanOrEqual(model!.correctedMtime);
          if (res.outcome === 'conflict_lost') expect(model!.correctedMtime).toBeGreaterThanOrEqual(corrected);
          if (res.outcome !== 'unchanged') stored.set(res.stored.version, d.local!);
          if (expected.becomesHead) model = { version: res.stored.version, sha256: sha256(d.local!), correctedMtime: corrected, deleted: false };
          expect(res.head).toMatchObject({ version: model!.version, sha256: model!.sha256, correctedMtime: model!.correctedMtime });
          if (res.outcome === 'conflict_lost') {
            // The client adopts the head; its own bytes are kept on the server as a conflict version.
            const head = await download(d);
            d.local = head.body;
            d.synced = { version: head.version, sha256: sha256(head.body) };
          } else {
            d.synced = { version: res.head.version, sha256: sha256(d.local!) };
          }
        };

        const follow = async (d: Device) => {
          const page = expectJson(await ctx.app.inject({ method: 'GET', url: `/api/sync/files?since=${d.cursor}`, headers: deviceHeaders(d.apiKey) }), 200).data;
          expect(page.cursor).toBeGreaterThanOrEqual(d.cursor);
          d.cursor = page.cursor;
          for (const f of page.files) {
            d.everSeen.push(f.version);
            const action = planSync({ sha256: d.local === null ? null : sha256(d.local) }, d.synced, { version: f.version, sha256: f.sha256, deleted: f.deleted });
            if (action.type === 'download') {
              const got = await download(d, action.version);
              d.local = got.body;
              d.synced = { version: got.version, sha256: sha256(got.body) };
            } else if (action.type === 'record') {
              d.synced = { version: action.version, sha256: sha256(d.local!) };
            } else if (action.type === 'upload') {
              await send(d, action.baseVersion);
            }
          }
        };

        for (const c of cmds) {
          if (c.t === 'tick') ctx.clock.advance(c.ms);
          else if (c.t === 'edit') {
            const d = devices[c.d]!;
            d.local = CONTENTS[c.content]!;
            d.localMtime = ctx.clock.now() + d.offset - c.ageMs;
            const base = c.staleBase && d.synced && d.synced.version > 1 ? d.synced.version - 1 : (d.synced?.version ?? null);
            await send(d, base);
          } else if (c.t === 'reupload') {
            const d = devices[c.d]!;
            if (d.local !== null) await send(d, d.synced?.version ?? null);
          } else await follow(devices[c.d]!);
        }

        // 1. Everything ever stored is retrievable, byte for byte.
        for (const [version, content] of stored) expect((await download(devices[0]!, version)).body).toBe(content);
        // 3. Following the feed (twice: a device may upload once) brings every device to the head.
        for (let round = 0; round < 2; round++) for (const d of devices) await follow(d);
        for (const d of devices) await follow(d);
        if (model === null) return;
        const head = await download(devices[0]!);
        expect(head.version).toBe((model as HeadStamp).version);
        for (const d of devices) {
          expect(d.local === null ? null : sha256(d.local)).toBe(sha256(head.body));
          expect(d.synced?.version).toBe(head.version);
        }
      }),
      { numRuns: 25 },
    );
  }, 240_000);
});
