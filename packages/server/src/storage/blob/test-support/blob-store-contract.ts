/**
 * The one contract every blob store adapter passes (run by `blob-store.test.ts` against the
 * folder store and the S3 store on s3rver).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BlobIntegrityError, BlobNotFoundError, type BlobStore } from '../blob-store.js';

export interface ContractTarget {
  name: string;
  /** A fresh, empty store. */
  create(): Promise<BlobStore>;
  /** Part size above which the adapter uses a different (multipart) path, if any. */
  largeSize?: number;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function runBlobStoreContract(target: ContractTarget): void {
  describe(`BlobStore contract: ${target.name}`, () => {
    let store: BlobStore;
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'retrosync-blob-contract-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    beforeEach(async () => {
      store = await target.create();
      return () => store.close();
    });

    const file = async (bytes: Buffer) => {
      const path = join(dir, randomBytes(6).toString('hex'));
      await writeFile(path, bytes);
      return path;
    };

    it('stores from a file and reads the same bytes back, with stat/has', async () => {
      const bytes = randomBytes(3000);
      const h = sha(bytes);
      expect(await store.has('u1', h)).toBe(false);
      expect(await store.stat('u1', h)).toBeNull();
      expect(await store.put('u1', h, bytes.length, { path: await file(bytes) })).toEqual({ created: true });
      expect(await store.has('u1', h)).toBe(true);
      expect((await store.stat('u1', h))?.size).toBe(bytes.length);
      expect((await readAll(await store.get('u1', h))).equals(bytes)).toBe(true);
    });

    it('stores from a stream, verifying hash and size', async () => {
      const bytes = randomBytes(5000);
      expect(await store.put('u1', sha(bytes), bytes.length, { stream: Readable.from([bytes]) })).toEqual({ created: true });
      expect((await readAll(await store.get('u1', sha(bytes)))).equals(bytes)).toBe(true);
      const other = randomBytes(100);
      await expect(store.put('u1', sha(bytes).replace(/^./, 'f'), 100, { stream: Readable.from([other]) })).rejects.toBeInstanceOf(
        BlobIntegrityError,
      );
      const listed = [];
      for await (const e of store.list('u1')) listed.push(e.sha256);
      expect(listed).toEqual([sha(bytes)]);
    });

    it('stores identical bytes once per user; users are separate namespaces', async () => {
      const bytes = Buffer.from('same save');
      const path = await file(bytes);
      expect((await store.put('u1', sha(bytes), bytes.length, { path })).created).toBe(true);
      expect((await store.put('u1', sha(bytes), bytes.length, { path })).created).toBe(false);
      expect((await store.put('u2', sha(bytes), bytes.length, { path })).created).toBe(true);
      await store.delete('u1', sha(bytes));
      expect(await store.has('u1', sha(bytes))).toBe(false);
      expect(await store.has('u2', sha(bytes))).toBe(true);
    });

    it('get of an absent blob is BlobNotFoundError; delete of one is a no-op', async () => {
      const h = sha(Buffer.from('nothing'));
      await expect(store.get('u1', h)).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(store.delete('u1', h)).resolves.toBeUndefined();
    });

    it('lists every blob with user, hash and size, per user or across users', async () => {
      const made: string[] = [];
      for (const [user, n] of [['a', 3], ['b', 2]] as const) {
        for (let i = 0; i < n; i++) {
          const bytes = randomBytes(10 + i);
          await store.put(user, sha(bytes), bytes.length, { path: await file(bytes) });
          made.push(`${user}:${sha(bytes)}:${bytes.length}`);
        }
      }
      const all: string[] = [];
      for await (const e of store.list()) {
        all.push(`${e.userId}:${e.sha256}:${e.size}`);
        expect(e.modifiedAt.getTime()).toBeGreaterThan(Date.now() - 600_000);
      }
      expect(all.sort()).toEqual(made.sort());
      const onlyB: string[] = [];
      for await (const e of store.list('b')) onlyB.push(e.userId);
      expect(onlyB).toEqual(['b', 'b']);
    });

    it('rejects ids and hashes that could leave the namespace', async () => {
      const path = await file(Buffer.from('x'));
      await expect(store.put('../etc', sha(Buffer.from('x')), 1, { path })).rejects.toThrow(TypeError);
      await expect(store.put('u1', '../../passwd', 1, { path })).rejects.toThrow(TypeError);
      await expect(store.get('u1', 'A'.repeat(64))).rejects.toThrow(TypeError);
    });

    it('a large blob (above the multipart threshold) round-trips', async () => {
      const size = target.largeSize ?? 12 * 1024 * 1024;
      const bytes = randomBytes(size);
      await store.put('u1', sha(bytes), size, { path: await file(bytes) });
      const back = await readAll(await store.get('u1', sha(bytes)));
      expect(back.length).toBe(size);
      expect(sha(back)).toBe(sha(bytes));
    });
  });
}
