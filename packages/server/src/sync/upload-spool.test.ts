import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '@retrosync/api';
import { spoolUpload, sweepSpool } from './upload-spool.js';

describe('spoolUpload', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'retrosync-spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the body to a temp file and reports its SHA-256 and size', async () => {
    const parts = [randomBytes(70_000), randomBytes(5), randomBytes(200_000)];
    const s = await spoolUpload(Readable.from(parts), dir, 1_000_000);
    const all = Buffer.concat(parts);
    expect(s.size).toBe(all.length);
    expect(s.sha256).toBe(createHash('sha256').update(all).digest('hex'));
    expect((await readFile(s.path)).equals(all)).toBe(true);
    await s.discard();
    expect(await readdir(dir)).toEqual([]);
  });

  it('learns while hashing whether the bytes are blank (empty, all 0x00, all 0xFF)', async () => {
    const blank = async (parts: Buffer[]) => {
      const s = await spoolUpload(Readable.from(parts), dir, 1_000_000);
      await s.discard();
      return s.blank;
    };
    expect(await blank([])).toBe(true);
    expect(await blank([Buffer.alloc(65_536), Buffer.alloc(10)])).toBe(true);
    expect(await blank([Buffer.alloc(32_768, 0xff), Buffer.alloc(32_768, 0xff)])).toBe(true);
    expect(await blank([Buffer.alloc(65_536), Buffer.from([1])])).toBe(false);
    expect(await blank([Buffer.alloc(100, 0xff), Buffer.alloc(100)])).toBe(false);
  });

  it('stops an oversized body with payload_too_large and removes the temp file', async () => {
    const err = await spoolUpload(Readable.from([randomBytes(600), randomBytes(600)]), dir, 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(await readdir(dir)).toEqual([]);
  });

  it('an aborted body leaves nothing behind', async () => {
    async function* aborted() {
      yield randomBytes(1000);
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    }
    await expect(spoolUpload(Readable.from(aborted()), dir, 1_000_000)).rejects.toThrow('aborted');
    expect(await readdir(dir)).toEqual([]);
  });

  it('sweepSpool removes only old upload files', async () => {
    const s = await spoolUpload(Readable.from([Buffer.from('x')]), dir, 10);
    expect(await sweepSpool(dir, 60_000)).toBe(0);
    expect(await sweepSpool(dir, 0, Date.now() + 1000)).toBe(1);
    expect(await readdir(dir)).toEqual([]);
    await s.discard();
  });
});
