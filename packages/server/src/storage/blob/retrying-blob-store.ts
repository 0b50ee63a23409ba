/**
 * Retries a blob store's operations (3 retries with exponential backoff by default), then
 * gives up with {@link StorageUnavailableError} (HTTP 503 `storage_unavailable`). Answers that
 * are not failures of the store — absent blob, bytes that do not match their hash — pass
 * through untouched. A put from a stream cannot be replayed, so it is tried once.
 */
import {
  BlobIntegrityError,
  BlobNotFoundError,
  StorageUnavailableError,
  type BlobEntry,
  type BlobSource,
  type BlobStat,
  type BlobStore,
} from './blob-store.js';
import type { Readable } from 'node:stream';

export interface RetryOptions {
  retries?: number;
  baseDelayMs?: number;
  onRetry?: (operation: string, attempt: number, err: unknown) => void;
  /** Called when an operation fails after every retry (it then throws StorageUnavailableError). */
  onGiveUp?: (operation: string, err: unknown) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RetryingBlobStore implements BlobStore {
  readonly kind: BlobStore['kind'];
  private readonly retries: number;
  private readonly baseDelayMs: number;

  constructor(
    readonly inner: BlobStore,
    private readonly options: RetryOptions = {},
  ) {
    this.kind = inner.kind;
    if (inner.probe) this.probe = () => inner.probe!();
    if (inner.presignGet) this.presignGet = (userId, sha256, ttlSeconds) => inner.presignGet!(userId, sha256, ttlSeconds);
    this.retries = options.retries ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 100;
  }

  private async attempt<T>(operation: string, fn: () => Promise<T>, retries = this.retries): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof BlobNotFoundError || err instanceof BlobIntegrityError || err instanceof TypeError) throw err;
        if (attempt >= retries) {
          this.options.onGiveUp?.(operation, err);
          throw new StorageUnavailableError(operation, { cause: err });
        }
        this.options.onRetry?.(operation, attempt + 1, err);
        await sleep(this.baseDelayMs * 2 ** attempt);
      }
    }
  }

  probe?(): Promise<void>;

  put(userId: string, sha256: string, size: number, source: BlobSource): Promise<{ created: boolean }> {
    return this.attempt('put', () => this.inner.put(userId, sha256, size, source), 'stream' in source ? 0 : this.retries);
  }

  get(userId: string, sha256: string): Promise<Readable> {
    return this.attempt('get', () => this.inner.get(userId, sha256));
  }

  stat(userId: string, sha256: string): Promise<BlobStat | null> {
    return this.attempt('stat', () => this.inner.stat(userId, sha256));
  }

  has(userId: string, sha256: string): Promise<boolean> {
    return this.attempt('has', () => this.inner.has(userId, sha256));
  }

  delete(userId: string, sha256: string): Promise<void> {
    return this.attempt('delete', () => this.inner.delete(userId, sha256));
  }

  async *list(userId?: string): AsyncIterable<BlobEntry> {
    try {
      yield* this.inner.list(userId);
    } catch (err) {
      throw new StorageUnavailableError('list', { cause: err });
    }
  }

  /** Present only when the wrapped store can presign (S3). */
  readonly presignGet?: (userId: string, sha256: string, ttlSeconds: number) => Promise<string>;

  close(): Promise<void> {
    return this.inner.close();
  }
}
