/**
 * Crash safety: the server process is SIGKILLed while uploads (large and small) are in flight,
 * then restarted on the same data. Nothing acknowledged is lost, and nothing half-done shows:
 * no version without its bytes, no head or feed entry pointing at a missing version, no spool
 * file left behind, feed counters consistent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../packages/server/src/db/open.js';
import { startS3rver, type RunningS3rver } from '../packages/server/src/storage/blob/test-support/s3rver.js';
import { createTestDatabase, databaseTargets, type TestDatabase } from '../packages/server/src/test-support/index.js';
import { freePort } from '../packages/server/src/test-support/ports.js';

const ROOT = join(import.meta.dirname, '..');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function startServer(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 30_000;
    const probe = async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${env.PORT}/healthz`);
        if (r.ok) return resolve(child);
      } catch {
        // not up yet
      }
      if (child.exitCode !== null || Date.now() > deadline) return reject(new Error(`server did not start: ${stderr}`));
      setTimeout(() => void probe(), 100);
    };
    void probe();
  });
}

describe.each(databaseTargets())('crash during uploads on %s', (target) => {
  let child: ChildProcess | undefined;
  let testDb: TestDatabase | undefined;
  let s3: RunningS3rver | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await s3?.stop();
    await testDb?.drop();
  });

  it('SIGKILL mid-upload, restart: acknowledged saves intact, no partial version, no orphan in the feed', async () => {
    testDb = await createTestDatabase(target);
    const port = String(await freePort());
    const env: Record<string, string> = {
      PORT: port,
      HOST: '127.0.0.1',
      DATA_DIR: testDb.dataDir,
      DATABASE_URL: testDb.config.kind === 'sqlite' ? `file:${testDb.config.file}` : testDb.config.url,
      JWT_SECRET: 'crash-test-secret-crash-test-secret-0123456789',
    };
    if (target === 'postgres') {
      s3 = await startS3rver();
      Object.assign(env, { MINIO_ENDPOINT: s3.endpoint, MINIO_ROOT_USER: s3.accessKeyId, MINIO_ROOT_PASSWORD: s3.secretAccessKey, MINIO_BUCKET: 'crash-test' });
    }
    const base = `http://127.0.0.1:${port}`;
    child = await startServer(env);

    const reg = await (await fetch(`${base}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'crash@example.com', password: 'crash test 123' }) })).json();
    const code = await (await fetch(`${base}/api/devices/create-pairing-code`, { method: 'POST', headers: { authorization: `Bearer ${reg.data.token}` } })).json();
    const pair = await (await fetch(`${base}/api/devices/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.data.code, deviceName: 'crasher', deviceType: 'linux' }) })).json();
    const apiKey: string = pair.data.apiKey;

    const put = (key: string, body: Buffer | ReadableStream<Uint8Array>, digest: string, size?: number) =>
      fetch(`${base}/api/sync/saves/${key}`, {
        method: 'PUT',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/octet-stream', 'x-content-sha256': digest, ...(size ? { 'content-length': String(size) } : {}) },
        body,
        duplex: 'half',
      } as RequestInit);

    // Acknowledged before the crash: must survive.
    const acked = new Map<string, string>();
    for (let i = 0; i < 5; i++) {
      const bytes = randomBytes(2048);
      const r = await put(`gba/Before%20${i}/battery`, bytes, sha(bytes));
      expect(r.status).toBe(200);
      acked.set(`gba/Before ${i}/battery`, sha(bytes));
    }

    // In flight at the crash: slow streamed large uploads (never finished) and a burst of small ones.
    const big = Buffer.alloc(4 * 1024 * 1024, 9);
    const slow = (n: number) =>
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (n <= 0) return controller.close();
          await new Promise((r) => setTimeout(r, 20));
          controller.enqueue(big.subarray(0, 256 * 1024));
          n--;
        },
      });
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) inflight.push(put(`gba/Big%20${i}/battery`, slow(16), sha(big), big.length).catch(() => null));
    const smallDone: Array<{ key: string; digest: string; status: number }> = [];
    for (let i = 0; i < 60; i++) {
      const bytes = randomBytes(1024 + i);
      inflight.push(
        put(`gba/Burst%20${i % 7}/battery`, bytes, sha(bytes))
          .then(async (r) => {
            const body = await r.json().catch(() => null);
            smallDone.push({ key: `gba/Burst ${i % 7}/battery`, digest: sha(bytes), status: r.status });
            return body;
          })
          .catch(() => null),
      );
    }
    // Kill once some of the burst is acknowledged and the rest (and the big uploads) are still in flight.
    for (const deadline = Date.now() + 10_000; smallDone.length < 15 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 2));
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await Promise.all(inflight);

    child = await startServer(env);

    // 1. Everything acknowledged is there, byte for byte.
    for (const [key, digest] of acked) {
      const r = await fetch(`${base}/api/sync/saves/${key.split('/').map(encodeURIComponent).join('/')}`, { headers: { 'x-api-key': apiKey } });
      expect(r.status).toBe(200);
      expect(sha(Buffer.from(await r.arrayBuffer()))).toBe(digest);
    }
    // 2. Every head in the feed downloads with the bytes its hash names; the half-sent big uploads left nothing.
    const feed = await (await fetch(`${base}/api/sync/files?since=0`, { headers: { 'x-api-key': apiKey } })).json();
    expect(feed.data.files.some((f: { key: string }) => f.key.startsWith('gba/Big'))).toBe(false);
    for (const f of feed.data.files) {
      const r = await fetch(`${base}/api/sync/saves/${f.key.split('/').map(encodeURIComponent).join('/')}`, { headers: { 'x-api-key': apiKey } });
      expect(r.status, f.key).toBe(200);
      expect(sha(Buffer.from(await r.arrayBuffer()))).toBe(f.sha256);
    }
    const acknowledgedBurst = smallDone.filter((s) => s.status === 200);
    expect(acknowledgedBurst.length).toBeGreaterThan(0);
    expect(acknowledgedBurst.length).toBeLessThan(60);
    for (const s of acknowledgedBurst) {
      const versions = await (await fetch(`${base}/api/sync/saves/${s.key.split('/').map(encodeURIComponent).join('/')}/versions`, { headers: { 'x-api-key': apiKey } })).json();
      expect(versions.data.versions.map((v: { sha256: string }) => v.sha256)).toContain(s.digest);
    }

    // 3. The database is consistent: every version's bytes exist, heads point at versions, cursors ≤ the feed counter.
    const opened = await openDatabase(testDb.config, { migrate: false });
    try {
      const versions = await opened.db.selectFrom('save_versions').selectAll().execute();
      const saves = await opened.db.selectFrom('saves').selectAll().execute();
      const feedRow = await opened.db.selectFrom('sync_feeds').selectAll().executeTakeFirstOrThrow();
      for (const s of saves) {
        expect(versions.some((v) => v.save_id === s.id && v.version === s.head_version), s.key).toBe(true);
        expect(s.head_seq).toBeLessThanOrEqual(feedRow.last_seq);
        expect(Math.max(...versions.filter((v) => v.save_id === s.id).map((v) => v.version))).toBeLessThanOrEqual(s.last_version);
      }
      const seqs = saves.map((s) => s.head_seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      for (const v of versions) {
        const r = await fetch(`${base}/api/sync/saves/${saves.find((s) => s.id === v.save_id)!.key.split('/').map(encodeURIComponent).join('/')}?version=${v.version}`, { headers: { 'x-api-key': apiKey } });
        expect(r.status).toBe(200);
        expect(sha(Buffer.from(await r.arrayBuffer()))).toBe(v.sha256);
      }
    } finally {
      await opened.close();
    }
    // The restart cleared the spool of the killed uploads.
    expect(readdirSync(join(testDb.dataDir, 'tmp', 'uploads'))).toEqual([]);
    child.kill('SIGKILL');
  }, 120_000);
});
