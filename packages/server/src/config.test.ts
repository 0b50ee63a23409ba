import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, presignSetting } from './config.js';
import { resolveJwtSecret } from './security/secret.js';

describe('loadConfig', () => {
  it('runs on the embedded default with no configuration', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c).toMatchObject({
      port: 3000,
      dataDir: '/srv/app/data',
      database: { kind: 'sqlite', file: '/srv/app/data/retrosync.db' },
      jwtSecret: undefined,
      publicUrl: 'http://localhost:3000',
      s3: undefined,
      bucket: 'retrosync-saves',
      corsOrigins: [],
      defaultTier: 'enterprise',
      deviceLimits: { free: 3, pro: 10, enterprise: null },
      pairing: { maxLiveCodes: 4, globalFailures: 10 },
      discovery: { enabled: true, port: 47624, name: undefined, publicUrlSet: false },
    });
    expect(loadConfig({ LAN_DISCOVERY: 'false', LAN_DISCOVERY_PORT: '5000', SERVER_NAME: 'Den' }).discovery).toEqual({ enabled: false, port: 5000, name: 'Den', publicUrlSet: false });
  });

  it('reads the seed names', () => {
    const c = loadConfig(
      {
        DATABASE_URL: 'postgres://u:p@db:5432/rs',
        JWT_SECRET: 'x'.repeat(40),
        NEXT_PUBLIC_API_URL: 'https://sync.example.net/',
        MINIO_ENDPOINT: 'http://minio:9000',
        MINIO_ROOT_USER: 'u',
        MINIO_ROOT_PASSWORD: 'p',
        PORT: '8080',
        DATA_DIR: '/var/lib/rs',
        CORS_ORIGINS: 'https://a.example, https://b.example',
        DEFAULT_TIER: 'free',
      },
      '/',
    );
    expect(c).toMatchObject({
      port: 8080,
      dataDir: '/var/lib/rs',
      database: { kind: 'postgres', url: 'postgres://u:p@db:5432/rs' },
      publicUrl: 'https://sync.example.net',
      s3: { endpoint: 'http://minio:9000', bucket: 'retrosync-saves' },
      corsOrigins: ['https://a.example', 'https://b.example'],
      defaultTier: 'free',
      secureCookies: true,
    });
    expect(loadConfig({ DATABASE_URL: 'file:./x/y.db' }, '/w').database).toEqual({ kind: 'sqlite', file: '/w/x/y.db' });
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', DEFAULT_TIER: 'gold', JWT_SECRET: 'short' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', DEFAULT_TIER: 'gold', JWT_SECRET: 'short' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT/);
      expect((err as Error).message).toMatch(/DEFAULT_TIER/);
      expect((err as Error).message).toMatch(/JWT_SECRET/);
    }
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ MINIO_ENDPOINT: 'http://m:9000' })).toThrow(/MINIO_ROOT_USER/);
  });
});

describe('presigned downloads setting', () => {
  it.each([
    ['https://s3.eu-central-1.amazonaws.com', undefined, 'auto', true],
    ['https://abc.r2.cloudflarestorage.com', undefined, 'auto', true],
    ['http://127.0.0.1:9000', undefined, 'auto', false],
    ['http://localhost:9000', undefined, 'auto', false],
    ['http://minio:9000', undefined, 'auto', false], // a Compose service name
    ['http://192.168.1.10:9000', undefined, 'auto', false],
    ['http://10.0.0.5:9000', undefined, 'auto', false],
    ['http://172.20.0.3:9000', undefined, 'auto', false],
    ['http://[::1]:9000', undefined, 'auto', false],
    ['http://[fd00::5]:9000', undefined, 'auto', false],
    ['http://nas.local:9000', undefined, 'auto', false],
    ['http://minio:9000', 'https://files.example.org', 'auto', true], // the public address devices use
    ['http://192.168.1.10:9000', undefined, 'on', true], // the self-hoster says the LAN reaches it
    ['https://s3.amazonaws.com', undefined, 'off', false],
  ] as const)('%s (public %s, %s) → %s', (endpoint, publicEndpoint, mode, enabled) => {
    const s = presignSetting(endpoint, publicEndpoint, mode, 300);
    expect(s.enabled).toBe(enabled);
    expect(s.endpoint).toBe(enabled ? (publicEndpoint ?? endpoint) : null);
  });

  it('is read from the environment, off without S3', () => {
    expect(loadConfig({}).presignedDownloads.enabled).toBe(false);
    const c = loadConfig({ MINIO_ENDPOINT: 'http://minio:9000', MINIO_ROOT_USER: 'u', MINIO_ROOT_PASSWORD: 'p', MINIO_PUBLIC_ENDPOINT: 'https://s3.example.org', PRESIGN_TTL_SECONDS: '120' });
    expect(c.presignedDownloads).toEqual({ enabled: true, endpoint: 'https://s3.example.org', ttlSeconds: 120 });
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(loadConfig({ METRICS_TOKEN: 'x'.repeat(16) }).metrics).toEqual({ token: 'x'.repeat(16), open: false });
  });
});

describe('resolveJwtSecret', () => {
  it('generates a secret once, keeps it in DATA_DIR with mode 0600 and warns', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-secret-'));
    const warnings: string[] = [];
    const log = { warn: (_o: object, msg: string) => warnings.push(msg) };
    const first = resolveJwtSecret(undefined, dir, log);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.statSync(path.join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    expect(resolveJwtSecret(undefined, dir, log)).toBe(first);
    expect(warnings).toHaveLength(2);
    expect(resolveJwtSecret('y'.repeat(40), dir, log)).toBe('y'.repeat(40));
    fs.rmSync(dir, { recursive: true });
  });
});
