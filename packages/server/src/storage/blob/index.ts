import { FsBlobStore } from './fs-blob-store.js';
import { RetryingBlobStore, type RetryOptions } from './retrying-blob-store.js';
import { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';
import type { BlobStore } from './blob-store.js';

export * from './blob-store.js';
export { FsBlobStore } from './fs-blob-store.js';
export { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';
export { RetryingBlobStore, type RetryOptions } from './retrying-blob-store.js';

export type BlobStoreConfig = { type: 'fs'; root: string } | ({ type: 's3' } & S3BlobStoreOptions);

/** The configured store, wrapped in retries (`MINIO_ENDPOINT` set → S3, else a folder under `DATA_DIR`). */
export function openBlobStore(config: BlobStoreConfig, retry?: RetryOptions): BlobStore {
  const inner = config.type === 'fs' ? new FsBlobStore(config.root) : new S3BlobStore(config);
  return new RetryingBlobStore(inner, retry);
}
