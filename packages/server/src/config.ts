/**
 * Configuration from the environment (seed names kept). `loadConfig(env)` is pure apart from
 * resolving paths against `cwd`; it throws {@link ConfigError} naming every bad variable.
 * The JWT secret may be absent here: `resolveJwtSecret` (security/secret.ts) generates and keeps
 * one in DATA_DIR at start-up.
 */
import path from 'node:path';
import { z } from 'zod';
import { SUBSCRIPTION_TIERS, type SubscriptionTier } from '@retrosync/api';
import { PAIRING_BOUND, pairingGuessBound } from './http/limits.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface PairingLimits {
  /** 6-digit codes (both flows) live server-wide at once (L₆ in the arithmetic in http/limits.ts). */
  maxLiveCodes: number;
  /** Wrong 6-digit guesses checked server-wide per window (G₆). */
  globalFailures: number;
  /** 12-digit codes live server-wide at once (L₁₂). */
  maxLongCodes: number;
  /** Wrong 12-digit guesses checked server-wide per window (G₁₂). */
  longFailures: number;
  /** Wrong guesses checked per client address per window. */
  ipFailures: number;
  /** Wrong guesses checked per signed-in user per window (linking device-shown codes). */
  userFailures: number;
  /** Codes a client address may request per window (device-shown flow, unauthenticated). */
  ipCodeRequests: number;
  windowMs: number;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: DatabaseConfig;
  /** Undefined → generated and stored in DATA_DIR by resolveJwtSecret. */
  jwtSecret: string | undefined;
  /** Public base URL clients and QR codes use (NEXT_PUBLIC_API_URL). No trailing slash. */
  publicUrl: string;
  /** S3-compatible blob store; undefined → local folder in DATA_DIR. */
  s3: { endpoint: string; accessKeyId: string; secretAccessKey: string; bucket: string; region: string } | undefined;
  bucket: string;
  /** Allowed browser origins; empty = CORS closed. `*` allows any (without credentials). */
  corsOrigins: string[];
  defaultTier: SubscriptionTier;
  /** Devices per tier; null = unlimited. */
  deviceLimits: Record<SubscriptionTier, number | null>;
  /** Storage quota per tier in bytes; null = unlimited (enforced by the sync service). */
  quotaBytes: Record<SubscriptionTier, number | null>;
  /** Old versions kept per save, and for how long (enforced by the sync service). */
  retention: { versionsPerSave: number; days: number };
  heartbeatIntervalSeconds: number;
  pollIntervalSeconds: number;
  /** Play leases (lease/lease-service.ts): idle windows by how the lease was taken, seconds. */
  leases: { writeIdleSeconds: number; launchIdleSeconds: number };
  pairingCodeTtlMs: number;
  pairing: PairingLimits;
  login: { ipFailures: number; accountFailures: number; accountSpacingMs: number; windowMs: number };
  /** Registration attempts per address per hour. */
  registerIpLimit: number;
  /** Max JSON request body, bytes. */
  bodyLimit: number;
  /** Slow-client bounds (http/slow-clients.ts). */
  http: {
    /** Request line and headers must arrive within this (HEADERS_TIMEOUT_MS, default 20 s). */
    headersTimeoutMs: number;
    /** A JSON body must arrive whole within this (BODY_TIMEOUT_MS, default 10 s). */
    bodyTimeoutMs: number;
    /** An upload must move at least `uploadMinBytes` per this many ms (UPLOAD_STALL_MS, default 30 s). */
    uploadStallMs: number;
    uploadMinBytes: number;
    /** Request bodies being received at once from one address (BODIES_PER_ADDRESS, default 16). */
    bodiesPerAddress: number;
    /** Uploads running at once from one address (UPLOADS_PER_ADDRESS, default 4). */
    uploadsPerAddress: number;
    /**
     * Connections the kernel queues before the server accepts them (LISTEN_BACKLOG, default 4096;
     * Linux caps it at net.core.somaxconn). Node's default, 511, overflows when thousands of
     * devices reconnect at once (after a power cut or a restart): the dropped connection attempts
     * are retried by TCP after 1, 3, 7, 15 … s, which devices see as check-ins taking that long.
     */
    listenBacklog: number;
  };
  trustProxy: boolean;
  logLevel: string;
  /** `json` (one object per line), `pretty` (for a person), `auto`: pretty when stdout is a terminal (LOG_FORMAT). */
  logFormat: 'json' | 'pretty' | 'auto';
  /** `/metrics` exposure (metrics/http-metrics.ts): a bearer token, or open; neither = off. */
  metrics: { token: string | null; open: boolean };
  /**
   * Downloads from S3 answered with a redirect to a presigned GET (storage/blob/presign.ts).
   * `endpoint` is the S3 address devices use (MINIO_PUBLIC_ENDPOINT, else MINIO_ENDPOINT).
   */
  presignedDownloads: { enabled: boolean; endpoint: string | null; ttlSeconds: number };
  /** Secure cookies (HTTPS). Defaults to true when publicUrl is https. */
  secureCookies: boolean;
  /** LAN discovery (docs/discovery.md): UDP port, on unless LAN_DISCOVERY=false; the name it announces. */
  discovery: { enabled: boolean; port: number; name: string | undefined; publicUrlSet: boolean };
  /** Audit log retention (account/audit.ts) and the two-factor code limit (http/limits.ts). */
  account: {
    auditRetentionDays: number;
    auditMaxEventsPerUser: number;
    twoFactorAccountFailures: number;
    /** Key for two-factor secrets at rest (account/secret-box.ts); undefined → the JWT secret. */
    twoFactorKey: string | undefined;
  };
  /** Webhook delivery (docs/webhooks.md). */
  webhooks: WebhookSettings;
}

export interface WebhookSettings {
  /** WEBHOOKS_ALLOW_PRIVATE: plain http:// and loopback/private-network targets are accepted. */
  allowPrivate: boolean;
  /** Per-attempt deadline (connect + request + response). */
  timeoutMs: number;
  /** Attempts per delivery before it is given up. */
  maxAttempts: number;
  /** Consecutive failed attempts after which a hook is disabled. */
  disableAfter: number;
  /** First retry delay; doubles per attempt (capped at an hour), with ±25 % jitter. */
  retryBaseMs: number;
  /** How often each replica looks for due deliveries (new ones wake the replica that made them at once). */
  pollMs: number;
  maxResponseBytes: number;
}

/** The UDP port LAN discovery listens on unless LAN_DISCOVERY_PORT says otherwise (docs/discovery.md). */
export const DEFAULT_DISCOVERY_PORT = 47624;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const mb = z.coerce.number().min(0);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().min(1).optional(),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  NEXT_PUBLIC_API_URL: z.url().optional(),
  MINIO_ENDPOINT: z.url().optional(),
  MINIO_ROOT_USER: z.string().optional(),
  MINIO_ROOT_PASSWORD: z.string().optional(),
  MINIO_BUCKET: z.string().min(3).max(63).default('retrosync-saves'),
  MINIO_REGION: z.string().default('us-east-1'),
  CORS_ORIGINS: z.string().default(''),
  DEFAULT_TIER: z.enum(SUBSCRIPTION_TIERS).default('enterprise'),
  DEVICE_LIMIT_FREE: int(0).default(3),
  DEVICE_LIMIT_PRO: int(0).default(10),
  QUOTA_FREE_MB: mb.default(100),
  QUOTA_PRO_MB: mb.default(1_024),
  QUOTA_ENTERPRISE_MB: mb.default(0),
  RETENTION_VERSIONS: int(1).default(20),
  RETENTION_DAYS: int(1).default(90),
  HEARTBEAT_INTERVAL_SECONDS: int(5, 86_400).default(60),
  LEASE_WRITE_IDLE_SECONDS: int(10, 86_400).default(600),
  LEASE_LAUNCH_IDLE_SECONDS: int(10, 7 * 86_400).default(6 * 3600),
  POLL_INTERVAL_SECONDS: int(5, 86_400).default(300),
  PAIRING_MAX_LIVE_CODES: int(1).default(4),
  PAIRING_GLOBAL_FAILURES: int(1).default(10),
  PAIRING_MAX_LONG_CODES: int(1).default(1000),
  PAIRING_LONG_FAILURES: int(1).default(5000),
  PAIRING_IP_FAILURES: int(1).default(5),
  PAIRING_USER_FAILURES: int(1).default(5),
  PAIRING_IP_CODE_REQUESTS: int(1).default(5),
  LOGIN_IP_FAILURES: int(1).default(10),
  LOGIN_ACCOUNT_FAILURES: int(1).default(5),
  LOGIN_ACCOUNT_SPACING_SECONDS: int(1, 3600).default(10),
  REGISTER_IP_LIMIT: int(1).default(10),
  BODY_LIMIT_BYTES: int(1024).default(1_048_576),
  HEADERS_TIMEOUT_MS: int(100).default(20_000),
  BODY_TIMEOUT_MS: int(100).default(10_000),
  UPLOAD_STALL_MS: int(100).default(30_000),
  UPLOAD_MIN_BYTES: int(1).default(1024),
  BODIES_PER_ADDRESS: int(1).default(16),
  UPLOADS_PER_ADDRESS: int(1).default(4),
  LISTEN_BACKLOG: int(1, 65535).default(4096),
  TRUST_PROXY: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SECURE_COOKIES: bool.optional(),
  LAN_DISCOVERY: bool.default(true),
  LAN_DISCOVERY_PORT: int(0, 65535).default(DEFAULT_DISCOVERY_PORT),
  SERVER_NAME: z.string().trim().min(1).max(64).optional(),
  LOG_FORMAT: z.enum(['json', 'pretty', 'auto']).default('auto'),
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  METRICS_OPEN: bool.default(false),
  MINIO_PUBLIC_ENDPOINT: z.url().optional(),
  S3_PRESIGNED_DOWNLOADS: z.enum(['auto', 'on', 'off']).default('auto'),
  PRESIGN_TTL_SECONDS: int(10, 3600).default(300),
  AUDIT_RETENTION_DAYS: int(1).default(365),
  AUDIT_MAX_EVENTS_PER_USER: int(100).default(5000),
  TWO_FACTOR_ACCOUNT_FAILURES: int(1).default(10),
  WEBHOOKS_ALLOW_PRIVATE: bool.default(false),
  WEBHOOKS_TIMEOUT_MS: int(100, 60_000).default(10_000),
  WEBHOOKS_MAX_ATTEMPTS: int(1, 50).default(10),
  WEBHOOKS_DISABLE_AFTER: int(1, 10_000).default(30),
  WEBHOOKS_RETRY_BASE_MS: int(10, 3_600_000).default(30_000),
  WEBHOOKS_POLL_MS: int(10, 600_000).default(2_000),
  TWO_FACTOR_KEY: z.string().min(32, 'TWO_FACTOR_KEY must be at least 32 characters').optional(),
});

/** Resolves DATABASE_URL. Unset → `<DATA_DIR>/retrosync.db`. `file:` paths are relative to cwd. */
export function parseDatabaseUrl(url: string | undefined, dataDir: string, cwd: string): DatabaseConfig {
  if (url === undefined || url === '') return { kind: 'sqlite', file: path.join(dataDir, 'retrosync.db') };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  if (url.startsWith('file:')) {
    const p = url.slice('file:'.length);
    if (!p) throw new ConfigError('DATABASE_URL: empty file path');
    return { kind: 'sqlite', file: path.resolve(cwd, p) };
  }
  throw new ConfigError('DATABASE_URL: expected file:<path> or postgres://…');
}

/**
 * Presigned downloads need an S3 address the devices can reach. `auto` turns them on when
 * MINIO_PUBLIC_ENDPOINT names one, or when MINIO_ENDPOINT itself is a public host; a loopback,
 * private (RFC 1918 / ULA / link-local), `.local`/`.internal` or single-label address (a Compose
 * service name such as `minio`) is taken as unreachable from devices, and downloads stay proxied.
 */
export function presignSetting(endpoint: string | undefined, publicEndpoint: string | undefined, mode: 'auto' | 'on' | 'off', ttlSeconds: number): Config['presignedDownloads'] {
  const target = publicEndpoint ?? endpoint ?? null;
  if (!endpoint || mode === 'off' || target === null) return { enabled: false, endpoint: null, ttlSeconds };
  const enabled = mode === 'on' || publicEndpoint !== undefined || isPublicHost(new URL(endpoint).hostname);
  return { enabled, endpoint: enabled ? target : null, ttlSeconds };
}

export function isPublicHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal') || host.endsWith('.lan')) return false;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return !(a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127));
  }
  if (host.includes(':')) return !(host === '::1' || host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host));
  return host.includes('.');
}

export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.DATA_DIR);
  const publicUrl = (e.NEXT_PUBLIC_API_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  let s3: Config['s3'];
  if (e.MINIO_ENDPOINT) {
    if (!e.MINIO_ROOT_USER || !e.MINIO_ROOT_PASSWORD) {
      throw new ConfigError('invalid configuration:\n  MINIO_ENDPOINT is set, so MINIO_ROOT_USER and MINIO_ROOT_PASSWORD are required');
    }
    s3 = {
      endpoint: e.MINIO_ENDPOINT,
      accessKeyId: e.MINIO_ROOT_USER,
      secretAccessKey: e.MINIO_ROOT_PASSWORD,
      bucket: e.MINIO_BUCKET,
      region: e.MINIO_REGION,
    };
  }
  const bound = pairingGuessBound({
    maxLiveCodes: e.PAIRING_MAX_LIVE_CODES,
    globalFailures: e.PAIRING_GLOBAL_FAILURES,
    maxLongCodes: e.PAIRING_MAX_LONG_CODES,
    longFailures: e.PAIRING_LONG_FAILURES,
  });
  if (bound >= PAIRING_BOUND) {
    throw new ConfigError(
      `invalid configuration:\n  pairing limits allow a ${bound.toExponential(2)} chance of guessing a live code (must stay below ${PAIRING_BOUND}): ` +
        'keep 2·PAIRING_GLOBAL_FAILURES·PAIRING_MAX_LIVE_CODES/10^6 + 2·PAIRING_LONG_FAILURES·PAIRING_MAX_LONG_CODES/10^12 below 10^-4 (see http/limits.ts)',
    );
  }
  const toBytes = (v: number) => (v === 0 ? null : Math.round(v * 1024 * 1024));
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database: parseDatabaseUrl(e.DATABASE_URL, dataDir, cwd),
    jwtSecret: e.JWT_SECRET,
    publicUrl,
    s3,
    bucket: e.MINIO_BUCKET,
    corsOrigins: e.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    defaultTier: e.DEFAULT_TIER,
    deviceLimits: { free: e.DEVICE_LIMIT_FREE, pro: e.DEVICE_LIMIT_PRO, enterprise: null },
    quotaBytes: { free: toBytes(e.QUOTA_FREE_MB), pro: toBytes(e.QUOTA_PRO_MB), enterprise: toBytes(e.QUOTA_ENTERPRISE_MB) },
    retention: { versionsPerSave: e.RETENTION_VERSIONS, days: e.RETENTION_DAYS },
    heartbeatIntervalSeconds: e.HEARTBEAT_INTERVAL_SECONDS,
    pollIntervalSeconds: e.POLL_INTERVAL_SECONDS,
    leases: { writeIdleSeconds: e.LEASE_WRITE_IDLE_SECONDS, launchIdleSeconds: e.LEASE_LAUNCH_IDLE_SECONDS },
    pairingCodeTtlMs: 15 * 60 * 1000,
    pairing: {
      maxLiveCodes: e.PAIRING_MAX_LIVE_CODES,
      globalFailures: e.PAIRING_GLOBAL_FAILURES,
      maxLongCodes: e.PAIRING_MAX_LONG_CODES,
      longFailures: e.PAIRING_LONG_FAILURES,
      ipFailures: e.PAIRING_IP_FAILURES,
      userFailures: e.PAIRING_USER_FAILURES,
      ipCodeRequests: e.PAIRING_IP_CODE_REQUESTS,
      windowMs: 15 * 60 * 1000,
    },
    login: {
      ipFailures: e.LOGIN_IP_FAILURES,
      accountFailures: e.LOGIN_ACCOUNT_FAILURES,
      accountSpacingMs: e.LOGIN_ACCOUNT_SPACING_SECONDS * 1000,
      windowMs: 15 * 60 * 1000,
    },
    registerIpLimit: e.REGISTER_IP_LIMIT,
    bodyLimit: e.BODY_LIMIT_BYTES,
    http: {
      headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.BODY_TIMEOUT_MS,
      uploadStallMs: e.UPLOAD_STALL_MS,
      uploadMinBytes: e.UPLOAD_MIN_BYTES,
      bodiesPerAddress: e.BODIES_PER_ADDRESS,
      uploadsPerAddress: e.UPLOADS_PER_ADDRESS,
      listenBacklog: e.LISTEN_BACKLOG,
    },
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    metrics: { token: e.METRICS_TOKEN ?? null, open: e.METRICS_OPEN },
    presignedDownloads: presignSetting(s3?.endpoint, e.MINIO_PUBLIC_ENDPOINT, e.S3_PRESIGNED_DOWNLOADS, e.PRESIGN_TTL_SECONDS),
    secureCookies: e.SECURE_COOKIES ?? publicUrl.startsWith('https://'),
    discovery: { enabled: e.LAN_DISCOVERY, port: e.LAN_DISCOVERY_PORT, name: e.SERVER_NAME, publicUrlSet: e.NEXT_PUBLIC_API_URL !== undefined },
    account: {
      auditRetentionDays: e.AUDIT_RETENTION_DAYS,
      auditMaxEventsPerUser: e.AUDIT_MAX_EVENTS_PER_USER,
      twoFactorAccountFailures: e.TWO_FACTOR_ACCOUNT_FAILURES,
      twoFactorKey: e.TWO_FACTOR_KEY,
    },
    webhooks: {
      allowPrivate: e.WEBHOOKS_ALLOW_PRIVATE,
      timeoutMs: e.WEBHOOKS_TIMEOUT_MS,
      maxAttempts: e.WEBHOOKS_MAX_ATTEMPTS,
      disableAfter: e.WEBHOOKS_DISABLE_AFTER,
      retryBaseMs: e.WEBHOOKS_RETRY_BASE_MS,
      pollMs: e.WEBHOOKS_POLL_MS,
      maxResponseBytes: 64 * 1024,
    },
  };
}
