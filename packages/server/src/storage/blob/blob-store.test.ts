import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from './fs-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';
import { RetryingBlobStore } from './retrying-blob-store.js';
import { BlobNotFoundError, StorageUnavailableError, type BlobStore } from './blob-store.js';
import { runBlobStoreContract } from './test-support/blob-store-contract.js';
import { startS3rver, type RunningS3rver } from './test-support/s3rver.js';

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

runBlobStoreContract({
  name: 'folder',
  async create() {
    const root = await mkdtemp(join(tmpdir(), 'retrosync-fsblob-'));
    roots.push(root);
    return new FsBlobStore(root);
  },
});

// s3rver does not check request signatures: these runs prove the S3 protocol (bucket creation,
// put, multipart, get, head, list, delete), not authentication.
let s3: RunningS3rver;
let bucketN = 0;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
});
runBlobStoreContract({
  name: 's3 (s3rver)',
  largeSize: 11 * 1024 * 1024,
  async create() {
    return new S3BlobStore({ ...s3, bucket: `contract-${++bucketN}`, partSize: 5 * 1024 * 1024 });
  },
});

describe('FsBlobStore crash safety', () => {
  it('a put that fails mid-stream leaves no blob and no temp file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'retrosync-fsblob-'));
    roots.push(root);
    const store = new FsBlobStore(root);
    async function* broken() {
      yield randomBytes(1000);
      throw new Error('connection reset');
    }
    const { Readable } = await import('node:stream');
    await expect(store.put('u1', 'a'.repeat(64), 2000, { stream: Readable.from(broken()) })).rejects.toThrow('connection reset');
    expect(await store.has('u1', 'a'.repeat(64))).toBe(false);
    expect(await readdir(join(root, 'u1', 'aa'))).toEqual([]);
  });

  it('sweepTemp removes stale temp files a crash left, and list never shows them', async () => {
    const root = await mkdtemp(join(tmpdir(), 'retrosync-fsblob-'));
    roots.push(root);
    const store = new FsBlobStore(root);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(root, 'u1', 'ab'), { recursive: true });
    await writeFile(join(root, 'u1', 'ab', '.tmp-deadbeef'), 'torn');
    const listed = [];
    for await (const e of store.list()) listed.push(e);
    expect(listed).toEqual([]);
    expect(await store.sweepTemp(0)).toBe(1);
    expect(await readdir(join(root, 'u1', 'ab'))).toEqual([]);
  });
});

describe('RetryingBlobStore', () => {
  function flaky(failures: number): { store: BlobStore; calls: () => number } {
    let calls = 0;
    const inner = new FsBlobStore('/nonexistent-retrosync');
    inner.stat = async () => {
      calls++;
      if (calls <= failures) throw new Error('ECONNRESET');
      return { size: 1, modifiedAt: new Date() };
    };
    inner.get = async (u, h) => {
      calls++;
      throw new BlobNotFoundError(u, h);
    };
    return { store: new RetryingBlobStore(inner, { baseDelayMs: 1 }), calls: () => calls };
  }

  it('recovers when the store comes back within 3 retries', async () => {
    const { store, calls } = flaky(3);
    expect(await store.stat('u1', 'a'.repeat(64))).toEqual({ size: 1, modifiedAt: expect.any(Date) });
    expect(calls()).toBe(4);
  });

  it('gives up after 3 retries with storage_unavailable (503)', async () => {
    const { store, calls } = flaky(10);
    const err = await store.stat('u1', 'a'.repeat(64)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect(err).toMatchObject({ code: 'storage_unavailable', statusCode: 503 });
    expect(calls()).toBe(4);
  });

  it('does not retry an absent blob', async () => {
    const { store, calls } = flaky(0);
    await expect(store.get('u1', 'a'.repeat(64))).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(calls()).toBe(1);
  });

  it('an unreachable S3 endpoint ends in storage_unavailable', async () => {
    const store = new RetryingBlobStore(
      new S3BlobStore({ endpoint: 'http://127.0.0.1:9', bucket: 'x', accessKeyId: 'a', secretAccessKey: 'b' }),
      { baseDelayMs: 1 },
    );
    await expect(store.has('u1', 'a'.repeat(64))).rejects.toBeInstanceOf(StorageUnavailableError);
    await store.close();
  });
});
