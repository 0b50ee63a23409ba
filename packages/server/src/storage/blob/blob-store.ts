/**
 * The blob store port: save bytes, content-addressed per user and immutable. A blob lives at
 * `<userId>/<sha256[0:2]>/<sha256>`, so identical bytes are stored once per user and a name from
 * a client never becomes part of a storage path. Adapters: `fs-blob-store.ts` (a local folder,
 * the embedded default) and `s3-blob-store.ts` (any S3 API); `retrying-blob-store.ts` wraps
 * either with retries and the `storage_unavailable` error.
 */
import type { Readable } from 'node:stream';
import { ApiError } from '@retrosync/api';

/**
 * Bytes to store: a local file (the upload path spools bodies to one) or a stream. With
 * `consume`, the store may take the file over (the folder store renames it into place when it
 * is on the same file system); the caller must not use it afterwards except to remove it.
 */
export type BlobSource = { path: string; consume?: boolean } | { stream: Readable };

export interface BlobStat {
  size: number;
  /** When the blob was written; garbage collection spares young blobs whose version row may not be committed yet. */
  modifiedAt: Date;
}

export interface BlobEntry extends BlobStat {
  userId: string;
  sha256: string;
}

export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /**
   * Stores `size` bytes whose SHA-256 is `sha256`. Idempotent: when the blob already exists
   * nothing is written and `created` is false. A failed or interrupted put leaves no blob.
   * Stream sources are verified against `sha256`/`size` ({@link BlobIntegrityError}).
   */
  put(userId: string, sha256: string, size: number, source: BlobSource): Promise<{ created: boolean }>;
  /** The bytes; throws {@link BlobNotFoundError} when absent. */
  get(userId: string, sha256: string): Promise<Readable>;
  stat(userId: string, sha256: string): Promise<BlobStat | null>;
  has(userId: string, sha256: string): Promise<boolean>;
  /** Removes a blob; removing an absent blob is not an error. */
  delete(userId: string, sha256: string): Promise<void>;
  /** Every blob (of one user, or of all users), in no particular order — for garbage collection. */
  list(userId?: string): AsyncIterable<BlobEntry>;
  /**
   * Proves the store is reachable and writable (writes and removes a small probe object outside
   * the blob namespace); throws when it is not. For /healthz: no retries.
   */
  probe?(): Promise<void>;
  /** A time-limited URL a device can download from directly, where the store supports it. */
  presignGet?(userId: string, sha256: string, ttlSeconds: number): Promise<string>;
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  constructor(readonly userId: string, readonly sha256: string) {
    super(`blob ${userId}/${sha256} not found`);
  }
}

/** The bytes given to `put` do not match the announced SHA-256 or size; nothing was stored. */
export class BlobIntegrityError extends Error {
  override readonly name = 'BlobIntegrityError';
}

/** The store failed after all retries: an ApiError, so the HTTP layer answers 503 `storage_unavailable`. */
export class StorageUnavailableError extends ApiError {
  readonly statusCode = 503;
  constructor(
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super('storage_unavailable', `The save storage is unavailable (${operation} failed); try again shortly.`);
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

const USER_RE = /^[A-Za-z0-9_-]{1,64}$/;
const SHA_RE = /^[0-9a-f]{64}$/;

/** The relative location of a blob, `<userId>/<sha[0:2]>/<sha>`; rejects anything that is not an id and a lower-case hex SHA-256. */
export function blobPath(userId: string, sha256: string): string {
  if (!SHA_RE.test(sha256)) throw new TypeError(`invalid sha256: ${JSON.stringify(sha256)}`);
  return `${userPrefix(userId)}${sha256.slice(0, 2)}/${sha256}`;
}

/** The folder / key prefix holding one user's blobs, `<userId>/` (validated, so it cannot widen to other users). */
export function userPrefix(userId: string): string {
  if (!USER_RE.test(userId)) throw new TypeError(`invalid user id for blob storage: ${JSON.stringify(userId)}`);
  return `${userId}/`;
}

/** Inverse of {@link blobPath}; `null` for anything that is not a blob location (temp files, stray objects). */
export function parseBlobPath(path: string): { userId: string; sha256: string } | null {
  const [userId, shard, sha256, ...rest] = path.split('/');
  if (rest.length || !userId || !shard || !sha256) return null;
  if (!USER_RE.test(userId) || !SHA_RE.test(sha256) || sha256.slice(0, 2) !== shard) return null;
  return { userId, sha256 };
}
