/**
 * Credentials, decided once here:
 * - User: a JWT as `Authorization: Bearer <jwt>` or in the HttpOnly cookie `retrosync_token`
 *   (dashboard). Tokens issued before the user's last password change are refused.
 * - Device: the API key as `X-API-Key: <64 hex>` or `Authorization: Bearer <64 hex>` (a bearer
 *   value of exactly 64 lower-case hex chars is a device key; anything else is a JWT).
 *   When both a device key and a JWT are sent, the device key wins.
 * - Missing, malformed, unknown, revoked or expired → 401; a valid credential of the wrong kind
 *   for the route (device key on a user route and vice versa) → 403 `wrong_credential_type`.
 * Resources are then scoped by `auth.userId` in every query; another user's resource → 403/404.
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { ApiError, type AuthMode } from '@retrosync/api';
import type { Database, DeviceRow, UserRow } from '../db/schema.js';
import type { JwtService } from '../security/jwt.js';
import { API_KEY_RE, sha256Hex } from '../security/tokens.js';
import type { DeviceKeyCache } from './device-cache.js';

export const SESSION_COOKIE = 'retrosync_token';

export interface UserAuth {
  kind: 'user';
  userId: string;
  user: UserRow;
  /** When the session token was issued (ms, whole seconds): "sign out other sessions" compares it. */
  issuedAt: number;
}
export interface DeviceAuth {
  kind: 'device';
  userId: string;
  deviceId: string;
  device: DeviceRow;
}
export type AuthContext = UserAuth | DeviceAuth;

/** The auth a handler receives for a route's mode. */
export type AuthFor<M extends AuthMode> = M extends 'user'
  ? UserAuth
  : M extends 'device'
    ? DeviceAuth
    : M extends 'user_or_device'
      ? AuthContext
      : null;

export interface Authenticator {
  /** Resolves the caller for a route's auth mode or throws ApiError 401/403. `none` → null. */
  authenticate(req: FastifyRequest, mode: AuthMode): Promise<AuthContext | null>;
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) throw new ApiError('unauthorized', 'Authorization must be "Bearer <token or API key>".');
  return m[1];
}

/**
 * `promotePendingKey`: a key that matches no device may be a device's pending rotated key
 * (lease/key-rotation.ts); its first use makes it the device's key and retires the old one.
 */
export function createAuthenticator(
  db: Kysely<Database>,
  jwt: JwtService,
  cache?: DeviceKeyCache,
  promotePendingKey?: (hash: string, req: FastifyRequest) => Promise<DeviceRow | undefined>,
): Authenticator {
  // A device's long poll and check-in usually arrive together, and a whole fleet reconnects at
  // once after a restart: lookups asked for in the same turn of the event loop go to the database
  // together (one query per 500 keys), and concurrent lookups of one key share a query — unless
  // the cache forgot anything since that query started (a removal or rotation may have committed
  // after it read the row). bench:fleet: 10,000 devices coming online queued thousands of
  // single-row queries for the pool.
  type Lookup = { generation: number; row: Promise<DeviceRow | undefined> };
  const lookups = new Map<string, Lookup>();
  let batch: { hash: string; resolve: (row: DeviceRow | undefined) => void; reject: (err: unknown) => void }[] = [];
  const runBatch = () => {
    const todo = batch;
    batch = [];
    for (let i = 0; i < todo.length; i += 500) {
      const part = todo.slice(i, i + 500);
      db.selectFrom('devices')
        .selectAll()
        .where(
          'api_key_hash',
          'in',
          part.map((p) => p.hash),
        )
        .execute()
        .then(
          (rows) => {
            const byHash = new Map(rows.map((r) => [r.api_key_hash, r]));
            for (const p of part) p.resolve(byHash.get(p.hash));
          },
          (err: unknown) => part.forEach((p) => p.reject(err)),
        );
    }
  };
  const lookUp = (hash: string): Lookup => {
    const generation = cache?.generation ?? 0;
    const pending = lookups.get(hash);
    if (pending && pending.generation === generation) return pending;
    const entry: Lookup = {
      generation,
      row: new Promise<DeviceRow | undefined>((resolve, reject) => {
        if (batch.length === 0) setImmediate(runBatch);
        batch.push({ hash, resolve, reject });
      }).finally(() => {
        if (lookups.get(hash) === entry) lookups.delete(hash);
      }),
    };
    lookups.set(hash, entry);
    return entry;
  };

  async function byKey(key: string, req: FastifyRequest): Promise<DeviceAuth> {
    if (!API_KEY_RE.test(key)) throw new ApiError('unauthorized', 'The device API key is malformed (expected 64 hex characters).');
    const hash = sha256Hex(key);
    let device = cache?.get(hash);
    if (!device) {
      const lookup = lookUp(hash);
      device = await lookup.row;
      if (!device && promotePendingKey) device = await promotePendingKey(hash, req);
      if (device && device.revoked_at === null) cache?.set(hash, device, lookup.generation);
    }
    if (!device) throw new ApiError('unauthorized', 'Unknown device API key; pair the device again.');
    if (device.revoked_at !== null) throw new ApiError('unauthorized', 'This device was removed from its account; pair it again.');
    return { kind: 'device', userId: device.user_id, deviceId: device.id, device };
  }

  async function byToken(token: string): Promise<UserAuth> {
    const claims = jwt.verify(token);
    const user = await db.selectFrom('users').selectAll().where('id', '=', claims.userId).executeTakeFirst();
    if (!user) throw new ApiError('unauthorized', 'This account no longer exists.');
    if (claims.iat * 1000 < user.tokens_valid_after) throw new ApiError('token_expired', 'This session was signed out (password changed or two-factor sign-in turned on); sign in again.');
    return { kind: 'user', userId: user.id, user, issuedAt: claims.iat * 1000 };
  }

  return {
    async authenticate(req, mode) {
      if (mode === 'none') return null;
      const headerKey = req.headers['x-api-key'];
      const apiKeyHeader = Array.isArray(headerKey) ? headerKey[0] : headerKey;
      const bearerValue = bearer(req);
      const cookie = (req as { cookies?: Record<string, string | undefined> }).cookies?.[SESSION_COOKIE];
      let auth: AuthContext;
      if (apiKeyHeader !== undefined) auth = await byKey(apiKeyHeader.trim(), req);
      else if (bearerValue !== undefined && API_KEY_RE.test(bearerValue)) auth = await byKey(bearerValue, req);
      else if (bearerValue !== undefined) auth = await byToken(bearerValue);
      else if (cookie) auth = await byToken(cookie);
      else throw new ApiError('unauthorized');
      if (mode === 'user' && auth.kind !== 'user') {
        throw new ApiError('wrong_credential_type', 'This endpoint needs a signed-in user, not a device key.');
      }
      if (mode === 'device' && auth.kind !== 'device') {
        throw new ApiError('wrong_credential_type', 'This endpoint needs a device API key, not a user session.');
      }
      return auth;
    },
  };
}
