/**
 * Streams an upload body to a temp file while hashing it, so a save of any size passes through
 * bounded memory. Nothing here is durable: the blob store makes the bytes durable once the hash
 * is verified. An aborted or oversized body removes the temp file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '@retrosync/api';
import { BlankDetector } from '@retrosync/core';

export interface SpooledUpload {
  path: string;
  sha256: string;
  size: number;
  /** The bytes are blank (empty, all 0x00 or all 0xFF), learnt while hashing. */
  blank: boolean;
  /** Removes the temp file (idempotent; harmless after the blob store consumed it). */
  discard(): Promise<void>;
}

export async function spoolUpload(body: Readable, dir: string, maxBytes: number): Promise<SpooledUpload> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `upload-${OWNER}-${Date.now()}-${randomBytes(8).toString('hex')}`);
  const discard = () => rm(path, { force: true });
  const hash = createHash('sha256');
  const blank = new BlankDetector();
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(new ApiError('payload_too_large', `A save may be at most ${maxBytes} bytes.`, { maxBytes }));
        return;
      }
      hash.update(chunk);
      blank.update(chunk);
      done(null, chunk);
    },
  });
  // Open before streaming: a stream that opens lazily could create the file after a failed
  // pipeline's clean-up ran, leaving an orphan behind.
  const file = await open(path, 'wx');
  try {
    await pipeline(body, meter, file.createWriteStream());
  } catch (err) {
    await file.close().catch(() => {});
    await discard();
    throw err;
  }
  return { path, sha256: hash.digest('hex'), size, blank: blank.blank, discard };
}

/** Removes spool files older than `olderThanMs` that a crash left behind (run at start-up). */
/**
 * Spool files are named after the process that writes them (`p<pid>.<host hash>`), so a server
 * starting next to replicas that share DATA_DIR can tell a crashed process's files (same host,
 * that pid no longer running) from a live upload of another process.
 */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const OWNER = `p${process.pid}.${HOST}`;

function ownerIsGone(name: string): boolean {
  const m = /^upload-p(\d+)\.([0-9a-f]{8})-/.exec(name);
  if (!m || m[2] !== HOST) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Removes spool files older than `olderThanMs`, and those of a process on this host that is no longer running. */
export async function sweepSpool(dir: string, olderThanMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith('upload-')) continue;
    const s = await stat(join(dir, name)).catch(() => null);
    if (s && (s.mtimeMs <= now - olderThanMs || ownerIsGone(name))) {
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}
