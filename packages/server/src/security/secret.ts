/**
 * JWT secret for the embedded default: JWT_SECRET when set; otherwise a 256-bit secret generated
 * once and kept in `<DATA_DIR>/jwt-secret` (mode 0600), with a warning in the log, so sessions
 * survive restarts. Replicas must share JWT_SECRET.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface SecretLogger {
  warn(obj: object, msg: string): void;
}

export function resolveJwtSecret(configured: string | undefined, dataDir: string, log: SecretLogger): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'jwt-secret');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) {
      log.warn({ file }, 'JWT_SECRET is not set; using the secret stored in the data directory');
      return existing;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('hex');
  // 'wx' fails if another process created it in between; then read theirs.
  try {
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim();
    throw err;
  }
  log.warn({ file }, 'JWT_SECRET is not set; generated one and stored it in the data directory (set JWT_SECRET when running several replicas)');
  return secret;
}
