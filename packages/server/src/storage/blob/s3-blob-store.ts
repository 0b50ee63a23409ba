/**
 * Blob store on any S3 API (MinIO, AWS, R2, B2) through `@aws-sdk/client-s3`. Objects are
 * written whole (PutObject) or, above `partSize`, as a multipart upload streamed part by part
 * from the spooled file — a large save is never held in memory. S3 makes an object visible
 * only when its upload completes, so an interrupted put leaves no blob (an unfinished multipart
 * upload is aborted; a bucket lifecycle rule should expire the ones a crash leaves behind).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { FsBlobStore } from './fs-blob-store.js';
import {
  BlobNotFoundError,
  blobPath,
  parseBlobPath,
  userPrefix,
  type BlobEntry,
  type BlobSource,
  type BlobStat,
  type BlobStore,
} from './blob-store.js';

export interface S3BlobStoreOptions {
  /** `MINIO_ENDPOINT`, e.g. `http://127.0.0.1:9000`. */
  endpoint: string;
  /** `MINIO_BUCKET`; created if missing. */
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
  /** Objects above this size go up as multipart uploads of this part size (≥ 5 MiB). */
  partSize?: number;
  /**
   * The address devices reach the S3 service at, for presigned downloads (MINIO_PUBLIC_ENDPOINT);
   * default `endpoint`. Signing is local: no request goes to this address from the server.
   */
  publicEndpoint?: string;
}

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isMissing(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatus(err) === 404;
}

function s3Client(options: S3BlobStoreOptions, endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: options.region ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    // MinIO and s3rver do not speak the SDK's default CRC32 trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1, // retries belong to RetryingBlobStore, so they are counted in one place
  });
}

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  readonly bucket: string;
  private readonly partSize: number;
  private bucketReady: Promise<void> | null = null;
  private readonly signer: S3Client;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, 5 * 1024 * 1024);
    this.client = s3Client(options, options.endpoint);
    this.signer = options.publicEndpoint ? s3Client(options, options.publicEndpoint) : this.client;
  }

  async probe(): Promise<void> {
    await this.ensureBucket();
    const Key = `.healthz/${randomBytes(6).toString('hex')}`;
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: 'ok' }));
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
  }

  /** Creates the bucket if it does not exist (once per process; retried after a failure). */
  ensureBucket(): Promise<void> {
    this.bucketReady ??= (async () => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      } catch (err) {
        if (!isMissing(err)) throw err;
        try {
          await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
        } catch (createErr) {
          const name = (createErr as { name?: string }).name;
          if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw createErr;
        }
      }
    })().catch((err: unknown) => {
      this.bucketReady = null;
      throw err;
    });
    return this.bucketReady;
  }

  async put(userId: string, sha256: string, size: number, source: BlobSource): Promise<{ created: boolean }> {
    const key = blobPath(userId, sha256);
    await this.ensureBucket();
    if ('stream' in source) return this.putStream(userId, sha256, size, source.stream);
    if (await this.stat(userId, sha256)) return { created: false };
    if (size <= this.partSize) {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: createReadStream(source.path), ContentLength: size }),
      );
    } else {
      await this.putMultipart(key, size, source.path);
    }
    return { created: true };
  }

  /** Streams are verified while spooled to a local temp file (the fs store's checks), then sent from it. */
  private async putStream(userId: string, sha256: string, size: number, stream: Readable): Promise<{ created: boolean }> {
    const dir = await mkdtemp(join(tmpdir(), 'retrosync-s3-'));
    try {
      const spool = new FsBlobStore(dir);
      await spool.put(userId, sha256, size, { stream });
      return await this.put(userId, sha256, size, { path: join(dir, blobPath(userId, sha256)) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async putMultipart(key: string, size: number, path: string): Promise<void> {
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    try {
      const parts: CompletedPart[] = [];
      for (let start = 0, n = 1; start < size; start += this.partSize, n++) {
        const end = Math.min(start + this.partSize, size) - 1;
        const { ETag } = await this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId,
            PartNumber: n,
            Body: createReadStream(path, { start, end }),
            ContentLength: end - start + 1,
          }),
        );
        parts.push({ ETag, PartNumber: n });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId })).catch(() => {});
      throw err;
    }
  }

  async get(userId: string, sha256: string): Promise<Readable> {
    await this.ensureBucket();
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: blobPath(userId, sha256) }));
      return out.Body as Readable;
    } catch (err) {
      if (isMissing(err)) throw new BlobNotFoundError(userId, sha256);
      throw err;
    }
  }

  async stat(userId: string, sha256: string): Promise<BlobStat | null> {
    await this.ensureBucket();
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: blobPath(userId, sha256) }));
      return { size: out.ContentLength ?? 0, modifiedAt: out.LastModified ?? new Date(0) };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async has(userId: string, sha256: string): Promise<boolean> {
    return (await this.stat(userId, sha256)) !== null;
  }

  async delete(userId: string, sha256: string): Promise<void> {
    await this.ensureBucket();
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: blobPath(userId, sha256) }));
  }

  async *list(userId?: string): AsyncIterable<BlobEntry> {
    await this.ensureBucket();
    const Prefix = userId === undefined ? undefined : userPrefix(userId);
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken }));
      for (const obj of page.Contents ?? []) {
        const ref = obj.Key ? parseBlobPath(obj.Key) : null;
        if (ref) yield { ...ref, size: obj.Size ?? 0, modifiedAt: obj.LastModified ?? new Date(0) };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  /**
   * A GET URL for one blob, signed for `ttlSeconds` (SigV4 query string), for devices to download
   * from the S3 service directly. The object is content-addressed and immutable, so the URL can
   * only ever return the bytes whose SHA-256 the server announced with the redirect.
   */
  async presignGet(userId: string, sha256: string, ttlSeconds: number): Promise<string> {
    return getSignedUrl(this.signer, new GetObjectCommand({ Bucket: this.bucket, Key: blobPath(userId, sha256) }), { expiresIn: ttlSeconds });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
