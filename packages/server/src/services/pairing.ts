/**
 * Both pairing flows, single use and 15 minutes, under the limits explained in http/limits.ts.
 *
 * 1. Dashboard code: the user creates a 6-digit code (+ QR of a pairing link); the device sends
 *    it with its name/type to `pair` and receives its API key.
 * 2. Device-shown code: a device without a keyboard asks for a code (`requestDeviceCode`) and
 *    displays it; the signed-in user enters it (`link`); the device polls `status` with its
 *    secret poll token and receives its API key exactly once.
 *
 * Every guess is counted before it is checked (http/limits.ts) and given back when it was right;
 * codes are 6 digits, or 12 while 6-digit codes are paused or their slots are full. A code is
 * consumed with a conditional UPDATE (… WHERE used_at IS NULL AND expires_at > now), so two
 * racing requests cannot both use it.
 */
import { sql, type Kysely } from 'kysely';
import QRCode from 'qrcode';
import { ApiError, type DeviceType } from '@retrosync/api';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { dialectOf } from '../db/open.js';
import { newId, toIso, type Database, type PairingCodeRow } from '../db/schema.js';
import type { CodeClass, Limits, Ticket } from '../http/limits.js';
import { newApiKey, newPairingCode, sha256Hex } from '../security/tokens.js';
import type { DeviceService } from './devices.js';

export interface PairResult {
  device: { id: string; name: string; deviceType: DeviceType };
  userId: string;
  apiKey: string;
}

type PairingConfig = Pick<Config, 'publicUrl' | 'pairingCodeTtlMs' | 'pairing'>;

const WRONG_CODE = 'The pairing code is wrong, expired or already used.';
const POLL_SECONDS = 3;
/** Advisory lock id for code allocation ("RSPAIR" in ASCII, fits in a bigint). */
const PAIRING_LOCK_KEY = 0x525350414952;

export class PairingService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly config: PairingConfig,
    private readonly limits: Limits,
    private readonly devices: DeviceService,
  ) {}

  /**
   * Picks a code no live code uses: 6 digits while fewer than L₆ short codes are live and the
   * short guess budget is not spent, else 12 digits while fewer than L₁₂ long codes are live, else
   * 429 pairing_busy. Runs inside a transaction; on PostgreSQL an advisory lock serialises
   * allocations across connections and replicas so the count-then-insert cannot overshoot a cap
   * (SQLite has one writer anyway).
   */
  private async allocate(trx: Kysely<Database>, now: number, shortPaused: boolean): Promise<string> {
    if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(${PAIRING_LOCK_KEY})`.execute(trx);
    await trx.deleteFrom('pairing_codes').where('expires_at', '<', now - 24 * 3600_000).execute();
    const live = await trx
      .selectFrom('pairing_codes')
      .select(['code', 'expires_at'])
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    const short = live.filter((c) => c.code.length === 6);
    const long = live.filter((c) => c.code.length === 12);
    let digits: 6 | 12;
    if (short.length < this.config.pairing.maxLiveCodes && !shortPaused) digits = 6;
    else if (long.length < this.config.pairing.maxLongCodes) digits = 12;
    else {
      const soonest = Math.min(...live.map((c) => c.expires_at));
      const retry = Math.max(1, Math.ceil((soonest - now) / 1000));
      throw new ApiError('pairing_busy', undefined, { retryAfterSeconds: retry }, { 'retry-after': String(retry) });
    }
    const taken = new Set(live.map((c) => c.code));
    for (;;) {
      const code = newPairingCode(digits);
      if (!taken.has(code)) return code;
    }
  }

  /**
   * Runs a guess under the limits: counted before `check` compares the code, given back when it
   * was right or failed for another reason (device limit, …); a wrong code keeps it.
   */
  private async guess<T>(code: string, ip: string, userId: string | undefined, check: (code: string) => Promise<T>): Promise<T> {
    const normalized = code.replace(/[\s-]/g, '');
    const codeClass: CodeClass = normalized.length === 12 ? 'long' : 'short';
    const ticket: Ticket = await this.limits.pairingGuess(ip, codeClass, userId);
    try {
      const result = await check(normalized);
      await this.limits.refund(ticket);
      return result;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'invalid_code')) await this.limits.refund(ticket);
      throw err;
    }
  }

  async createUserCode(userId: string): Promise<{ code: string; expiresAt: string; pairingUrl: string; qrCode: string }> {
    const now = this.clock.now();
    const expiresAt = now + this.config.pairingCodeTtlMs;
    // Read outside the transaction: on PostgreSQL it holds a connection under the allocation lock.
    const shortPaused = await this.limits.shortCodesPaused();
    const code = await this.db.transaction().execute(async (trx) => {
      // One live dashboard code per user: a new one cancels the previous.
      await trx
        .updateTable('pairing_codes')
        .set({ expires_at: now })
        .where('user_id', '=', userId)
        .where('flow', '=', 'user')
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .execute();
      const c = await this.allocate(trx, now, shortPaused);
      await trx
        .insertInto('pairing_codes')
        .values({ ...emptyCode(), id: newId(), code: c, flow: 'user', user_id: userId, created_at: now, expires_at: expiresAt })
        .execute();
      return c;
    });
    const pairingUrl = `${this.config.publicUrl}/pair?code=${code}`;
    const qrCode = await QRCode.toDataURL(pairingUrl, { errorCorrectionLevel: 'M', margin: 1, width: 256 });
    return { code, expiresAt: toIso(expiresAt), pairingUrl, qrCode };
  }

  /** A live, unused code of this flow, or null. */
  private async findLive(code: string, flow: 'user' | 'device', now: number): Promise<PairingCodeRow | null> {
    const row = await this.db
      .selectFrom('pairing_codes')
      .selectAll()
      .where('code', '=', code)
      .where('flow', '=', flow)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row ?? null;
  }

  private wrongCode(): never {
    throw new ApiError('invalid_code', WRONG_CODE);
  }

  pair(input: { code: string; deviceName: string; deviceType: DeviceType }, ip: string): Promise<PairResult> {
    return this.guess(input.code, ip, undefined, (code) => this.pairChecked({ ...input, code }));
  }

  private async pairChecked(input: { code: string; deviceName: string; deviceType: DeviceType }): Promise<PairResult> {
    const now = this.clock.now();
    const row = await this.findLive(input.code, 'user', now);
    if (!row || row.user_id === null) this.wrongCode();
    const userId = row.user_id;
    const apiKey = newApiKey();
    const device = await this.db.transaction().execute(async (trx) => {
      const used = await trx
        .updateTable('pairing_codes')
        .set({ used_at: now })
        .where('id', '=', row.id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) return null;
      const d = await this.devices.createInTx(trx, userId, { name: input.deviceName, deviceType: input.deviceType, apiKeyHash: sha256Hex(apiKey) });
      await trx.updateTable('pairing_codes').set({ device_id: d.id }).where('id', '=', row.id).execute();
      return d;
    });
    if (!device) this.wrongCode();
    return { device: { id: device.id, name: device.name, deviceType: input.deviceType }, userId, apiKey };
  }

  async requestDeviceCode(
    input: { deviceName: string; deviceType: DeviceType; qr?: boolean | undefined },
    ip: string,
    origin: string = this.config.publicUrl,
  ): Promise<{ code: string; pollToken: string; expiresAt: string; linkUrl: string; pollIntervalSeconds: number; qrCode?: string }> {
    await this.limits.deviceCodeRequest(ip);
    const now = this.clock.now();
    const expiresAt = now + this.config.pairingCodeTtlMs;
    const pollToken = newApiKey();
    // Read outside the transaction: on PostgreSQL it holds a connection under the allocation lock.
    const shortPaused = await this.limits.shortCodesPaused();
    const code = await this.db.transaction().execute(async (trx) => {
      const c = await this.allocate(trx, now, shortPaused);
      await trx
        .insertInto('pairing_codes')
        .values({
          ...emptyCode(),
          id: newId(),
          code: c,
          flow: 'device',
          poll_token_hash: sha256Hex(pollToken),
          device_name: input.deviceName,
          device_type: input.deviceType,
          created_at: now,
          expires_at: expiresAt,
        })
        .execute();
      return c;
    });
    const linkUrl = `${origin}/link?code=${code}`;
    const result = { code, pollToken, expiresAt: toIso(expiresAt), linkUrl, pollIntervalSeconds: POLL_SECONDS };
    // A phone scanning the device's screen opens the dashboard's link page with the code filled in.
    if (input.qr) return { ...result, qrCode: await QRCode.toDataURL(linkUrl, { errorCorrectionLevel: 'M', margin: 1, width: 256 }) };
    return result;
  }

  link(userId: string, code: string, ip: string): Promise<{ id: string; name: string; deviceType: DeviceType }> {
    return this.guess(code, ip, userId, (c) => this.linkChecked(userId, c));
  }

  private async linkChecked(userId: string, code: string): Promise<{ id: string; name: string; deviceType: DeviceType }> {
    const now = this.clock.now();
    const row = await this.findLive(code, 'device', now);
    if (!row) this.wrongCode();
    const device = await this.db.transaction().execute(async (trx) => {
      const used = await trx
        .updateTable('pairing_codes')
        .set({ used_at: now, user_id: userId })
        .where('id', '=', row.id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) return null;
      const d = await this.devices.createInTx(trx, userId, { name: row.device_name ?? 'Device', deviceType: row.device_type ?? 'other', apiKeyHash: null });
      await trx.updateTable('pairing_codes').set({ device_id: d.id }).where('id', '=', row.id).execute();
      return d;
    });
    if (!device) this.wrongCode();
    return { id: device.id, name: device.name, deviceType: device.device_type as DeviceType };
  }

  /**
   * Device polls with its token. Pending → `pending`; linked → the API key, exactly once (a
   * conditional UPDATE on delivered_at); afterwards, or once expired → 410 `code_expired`.
   * A linked key can be collected until one TTL after the code's expiry.
   */
  async status(pollToken: string): Promise<{ status: 'pending'; expiresAt: string } | ({ status: 'paired' } & PairResult)> {
    const now = this.clock.now();
    const row = await this.db.selectFrom('pairing_codes').selectAll().where('poll_token_hash', '=', sha256Hex(pollToken)).executeTakeFirst();
    if (!row) throw new ApiError('code_not_found');
    if (row.used_at === null) {
      if (row.expires_at <= now) throw new ApiError('code_expired', 'The code expired before it was linked; request a new one.');
      return { status: 'pending', expiresAt: toIso(row.expires_at) };
    }
    if (row.delivered_at !== null || row.device_id === null || row.user_id === null) {
      throw new ApiError('code_expired', 'The API key for this code was already delivered; pair again if it was lost.');
    }
    if (row.expires_at + this.config.pairingCodeTtlMs <= now) throw new ApiError('code_expired');
    const apiKey = newApiKey();
    const { device_id: deviceId, user_id: userId } = row;
    const delivered = await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('pairing_codes').set({ delivered_at: now }).where('id', '=', row.id).where('delivered_at', 'is', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return null;
      const upd = await trx
        .updateTable('devices')
        .set({ api_key_hash: sha256Hex(apiKey) })
        .where('id', '=', deviceId)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(upd.numUpdatedRows) !== 1) return null;
      return trx.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirstOrThrow();
    });
    if (!delivered) throw new ApiError('code_expired', 'The API key for this code was already delivered or the device was removed.');
    return { status: 'paired', device: { id: delivered.id, name: delivered.name, deviceType: delivered.device_type as DeviceType }, userId, apiKey };
  }
}

function emptyCode(): Omit<PairingCodeRow, 'id' | 'code' | 'flow' | 'created_at' | 'expires_at'> {
  return { user_id: null, poll_token_hash: null, device_name: null, device_type: null, device_id: null, used_at: null, delivered_at: null };
}
