/**
 * Blob store in a local folder. Writes go to a temp file in the blob's own folder, are fsynced,
 * renamed into place and the folder fsynced, so a crash leaves either the whole blob or none
 * (at worst a `.tmp-*` file, which `list` ignores and `sweepTemp` removes).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BlobIntegrityError,
  BlobNotFoundError,
  blobPath,
  parseBlobPath,
  type BlobEntry,
  type BlobSource,
  type BlobStat,
  type BlobStore,
} from './blob-store.js';

const TEMP_PREFIX = '.tmp-';

async function fsyncPath(path: string, flags: string, dataOnly = false): Promise<void> {
  const handle = await open(path, flags);
  try {
    // fdatasync flushes the bytes and the metadata needed to read them back (size), not times.
    await (dataOnly ? handle.datasync() : handle.sync());
  } finally {
    await handle.close();
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;

  constructor(readonly root: string) {}

  async probe(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const path = join(this.root, `${TEMP_PREFIX}probe-${randomBytes(6).toString('hex')}`);
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile('ok');
    } finally {
      await handle.close();
      await rm(path, { force: true });
    }
  }

  private file(userId: string, sha256: string): string {
    return join(this.root, blobPath(userId, sha256));
  }

  async put(userId: string, sha256: string, size: number, source: BlobSource): Promise<{ created: boolean }> {
    const target = this.file(userId, sha256);
    if (await this.stat(userId, sha256)) {
      if ('stream' in source) source.stream.resume();
      return { created: false };
    }
    const dir = join(target, '..');
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      if ('path' in source && source.consume) {
        const moved = await rename(source.path, temp).then(
          () => true,
          (err: NodeJS.ErrnoException) => {
            if (err.code === 'EXDEV') return false;
            throw err;
          },
        );
        if (!moved) await copyFile(source.path, temp);
        const s = await stat(temp);
        if (s.size !== size) throw new BlobIntegrityError(`expected ${size} bytes, the file has ${s.size}`);
      } else if ('path' in source) {
        await copyFile(source.path, temp);
        const copied = await stat(temp);
        if (copied.size !== size) throw new BlobIntegrityError(`expected ${size} bytes, the file has ${copied.size}`);
      } else {
        const hash = createHash('sha256');
        let seen = 0;
        const tap = new Transform({
          transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            seen += chunk.length;
            done(null, chunk);
          },
        });
        await pipeline(source.stream, tap, createWriteStream(temp, { flags: 'wx' }));
        const actual = hash.digest('hex');
        if (seen !== size || actual !== sha256) {
          throw new BlobIntegrityError(`expected ${size} bytes with sha256 ${sha256}, got ${seen} bytes with ${actual}`);
        }
      }
      await fsyncPath(temp, 'r+', true);
      await rename(temp, target);
      await fsyncPath(dir, 'r');
      return { created: true };
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async get(userId: string, sha256: string): Promise<Readable> {
    const path = this.file(userId, sha256);
    const handle = await open(path, 'r').catch((err: unknown) => {
      throw isNotFound(err) ? new BlobNotFoundError(userId, sha256) : err;
    });
    return handle.createReadStream();
  }

  async stat(userId: string, sha256: string): Promise<BlobStat | null> {
    try {
      const s = await stat(this.file(userId, sha256));
      return { size: s.size, modifiedAt: s.mtime };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async has(userId: string, sha256: string): Promise<boolean> {
    return (await this.stat(userId, sha256)) !== null;
  }

  async delete(userId: string, sha256: string): Promise<void> {
    await rm(this.file(userId, sha256), { force: true });
  }

  async *list(userId?: string): AsyncIterable<BlobEntry> {
    const users = userId === undefined ? await this.readdirSafe(this.root) : [userId];
    for (const user of users) {
      for (const shard of await this.readdirSafe(join(this.root, user))) {
        for (const name of await this.readdirSafe(join(this.root, user, shard))) {
          const ref = parseBlobPath(`${user}/${shard}/${name}`);
          if (!ref) continue;
          const s = await this.stat(ref.userId, ref.sha256);
          if (s) yield { ...ref, ...s };
        }
      }
    }
  }

  /** Removes temp files older than `olderThanMs` that a crash mid-write left behind. */
  async sweepTemp(olderThanMs: number): Promise<number> {
    let removed = 0;
    const cutoff = Date.now() - olderThanMs;
    for (const user of await this.readdirSafe(this.root)) {
      for (const shard of await this.readdirSafe(join(this.root, user))) {
        for (const name of await this.readdirSafe(join(this.root, user, shard))) {
          if (!name.startsWith(TEMP_PREFIX)) continue;
          const path = join(this.root, user, shard, name);
          const s = await stat(path).catch(() => null);
          if (s && s.mtimeMs <= cutoff) {
            await rm(path, { force: true });
            removed++;
          }
        }
      }
    }
    return removed;
  }

  private async readdirSafe(path: string): Promise<string[]> {
    try {
      return await readdir(path);
    } catch (err) {
      if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw err;
    }
  }

  async close(): Promise<void> {}
}
