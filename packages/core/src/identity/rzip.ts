/**
 * RetroArch's RZIP container (libretro-common `streams/rzip_stream.c`), written by RetroArch
 * when `save_file_compression` / `savestate_file_compression` is on (GarlicOS 2 saves,
 * NextUI saveFormat=1, most platforms' states):
 *
 *   8 bytes  magic `#RZIPv` 0x01 `#`
 *   4 bytes  uncompressed chunk size, little-endian (RetroArch writes 131072)
 *   8 bytes  total uncompressed size, little-endian
 *   then per chunk: 4 bytes compressed size (LE) + zlib stream of at most one chunk.
 *
 * Sync works on raw bytes: inflate what a device wrote, deflate only for devices set to compress.
 */
import { deflateSync, inflateSync } from 'node:zlib';

const MAGIC = Uint8Array.from([0x23, 0x52, 0x5a, 0x49, 0x50, 0x76, 0x01, 0x23]);
const HEADER_SIZE = 20;
/** RetroArch's chunk size. */
export const RZIP_CHUNK_SIZE = 131072;
/** Refuse to inflate beyond this (a corrupt header must not allocate gigabytes). */
export const RZIP_MAX_SIZE = 256 * 1024 * 1024;

export class RzipError extends Error {
  override readonly name = 'RzipError';
}

/** True when the bytes start with the RZIP magic (RetroArch reads anything else as raw data). */
export function isRzip(bytes: Uint8Array): boolean {
  if (bytes.length < HEADER_SIZE) return false;
  return MAGIC.every((b, i) => bytes[i] === b);
}

/** The raw bytes inside an RZIP file; throws {@link RzipError} when it is damaged. */
export function inflateRzip(bytes: Uint8Array): Uint8Array {
  if (!isRzip(bytes)) throw new RzipError('not an RZIP file (no #RZIPv1# header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunkSize = view.getUint32(8, true);
  const total = view.getBigUint64(12, true);
  if (chunkSize === 0 || total === 0n) throw new RzipError('RZIP header has a zero size');
  if (total > BigInt(RZIP_MAX_SIZE)) throw new RzipError(`RZIP content of ${total} bytes is larger than allowed`);
  const size = Number(total);
  const out = new Uint8Array(size);
  let offset = HEADER_SIZE;
  let written = 0;
  while (written < size) {
    if (offset + 4 > bytes.length) throw new RzipError('RZIP file is truncated');
    const compressed = view.getUint32(offset, true);
    offset += 4;
    if (compressed === 0 || offset + compressed > bytes.length) throw new RzipError('RZIP chunk is truncated');
    let chunk: Uint8Array;
    try {
      chunk = inflateSync(bytes.subarray(offset, offset + compressed), { maxOutputLength: chunkSize });
    } catch (err) {
      throw new RzipError(`RZIP chunk does not inflate: ${(err as Error).message}`);
    }
    if (chunk.length === 0 || written + chunk.length > size) throw new RzipError('RZIP chunk sizes do not add up');
    out.set(chunk, written);
    written += chunk.length;
    offset += compressed;
  }
  return out;
}

/** Wraps raw bytes in an RZIP container the way RetroArch writes it (zlib level 6, 128 KiB chunks). */
export function deflateRzip(raw: Uint8Array, chunkSize = RZIP_CHUNK_SIZE): Uint8Array {
  if (raw.length === 0) throw new RzipError('RetroArch cannot read an empty RZIP file');
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(HEADER_SIZE);
  header.set(MAGIC, 0);
  const hv = new DataView(header.buffer);
  hv.setUint32(8, chunkSize, true);
  hv.setBigUint64(12, BigInt(raw.length), true);
  parts.push(header);
  for (let i = 0; i < raw.length; i += chunkSize) {
    const z = deflateSync(raw.subarray(i, i + chunkSize), { level: 6 });
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, z.length, true);
    parts.push(len, z);
  }
  return Buffer.concat(parts);
}

/** Raw bytes for syncing: inflated when RZIP, unchanged otherwise. */
export function rawSaveBytes(bytes: Uint8Array): Uint8Array {
  return isRzip(bytes) ? inflateRzip(bytes) : bytes;
}
