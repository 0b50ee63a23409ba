/**
 * Two-factor sign-in: enrolment, code checks, recovery codes and the sign-in challenge.
 * Policy (TOTP parameters, window, single use) is in totp.ts; secrets at rest in secret-box.ts;
 * attempt limits in http/limits.ts (the routes count attempts before calling in here).
 *
 * A code is consumed atomically in the database — `last_step` only moves forward
 * (`UPDATE … WHERE last_step < step`), a recovery code is spent with `UPDATE … WHERE used_at IS
 * NULL` — so two replicas racing with the same code accept it once. Every query is scoped by
 * user id.
 */
import type { Kysely } from 'kysely';
import QRCode from 'qrcode';
import { ApiError, type TwoFactorStatus } from '@retrosync/api';
import type { Clock } from '../clock.js';
import { newId, toIso, type Database } from '../db/schema.js';
import { newApiKey, sha256Hex } from '../security/tokens.js';
import type { SecretBox } from './secret-box.js';
import type { TwoFactorChallengesTable } from './schema.js';
import { matchTotp, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, otpauthUrl } from './totp.js';

export const CHALLENGE_TTL_MS = 5 * 60_000;
export const CHALLENGE_MAX_FAILURES = 5;

export type CodeMethod = 'totp' | 'recovery_code';

/** Rolls the challenge transaction back on a wrong code (the challenge stays usable). */
const WRONG = Symbol('wrong code');

export class TwoFactorService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    private readonly issuer = 'RetroSync',
  ) {}

  async status(userId: string): Promise<TwoFactorStatus> {
    const row = await this.db.selectFrom('two_factor').select('enabled_at').where('user_id', '=', userId).executeTakeFirst();
    const enabledAt = row?.enabled_at ?? null;
    if (enabledAt === null) return { enabled: false, enabledAt: null, recoveryCodesLeft: 0 };
    const left = await this.db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return { enabled: true, enabledAt: toIso(Number(enabledAt)), recoveryCodesLeft: Number(left.n) };
  }

  async isEnabled(userId: string): Promise<boolean> {
    const row = await this.db.selectFrom('two_factor').select('enabled_at').where('user_id', '=', userId).executeTakeFirst();
    return row?.enabled_at != null;
  }

  /** Starts (or restarts) enrolment with a new secret; nothing changes for sign-in until `enable`. */
  async setup(userId: string, account: string): Promise<{ secret: string; otpauthUrl: string; qrCode: string }> {
    if (await this.isEnabled(userId)) throw new ApiError('two_factor_enabled');
    const secret = newTotpSecret();
    const sealed = this.box.seal(secret, userId);
    const now = this.clock.now();
    await this.db
      .insertInto('two_factor')
      .values({ user_id: userId, secret_sealed: sealed, enabled_at: null, last_step: null, created_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ secret_sealed: sealed, last_step: null, created_at: now }).where('two_factor.enabled_at', 'is', null))
      .execute();
    const url = otpauthUrl(secret, account, this.issuer);
    return { secret, otpauthUrl: url, qrCode: await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 1, width: 256 }) };
  }

  /** Confirms enrolment with a first code; returns the recovery codes (the only time they are shown). */
  async enable(userId: string, code: string): Promise<string[]> {
    const row = await this.db.selectFrom('two_factor').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw new ApiError('two_factor_not_started');
    if (row.enabled_at !== null) throw new ApiError('two_factor_enabled');
    const step = matchTotp(this.secretOf(userId, row.secret_sealed), code, this.clock.now());
    if (step === null) throw new ApiError('invalid_two_factor_code', 'The code does not match; check the time on your phone and type the code it shows now.');
    const codes = newRecoveryCodes();
    await this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('two_factor')
        .set({ enabled_at: this.clock.now(), last_step: step })
        .where('user_id', '=', userId)
        .where('enabled_at', 'is', null)
        .where('secret_sealed', '=', row.secret_sealed)
        .executeTakeFirst();
      // Another request enabled it, or restarted the set-up with a new secret, in between.
      if (Number(res.numUpdatedRows) !== 1) throw new ApiError('two_factor_not_started', 'The set-up changed meanwhile; start it again.');
      // Codes of an earlier enrolment (say, one an operator turned off by deleting its row) never come back.
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await this.storeRecoveryCodes(trx, userId, codes);
    });
    return codes;
  }

  async disable(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx.deleteFrom('two_factor_challenges').where('user_id', '=', userId).execute();
      await trx.deleteFrom('two_factor').where('user_id', '=', userId).execute();
    });
  }

  async regenerateRecoveryCodes(userId: string): Promise<string[]> {
    const codes = newRecoveryCodes();
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await this.storeRecoveryCodes(trx, userId, codes);
    });
    return codes;
  }

  /**
   * Checks and spends a code of an account with two-factor on: a TOTP code of a step after the
   * last accepted one, or an unused recovery code. Null when it is wrong, stale or spent.
   */
  async consume(userId: string, code: string, db: Kysely<Database> = this.db): Promise<CodeMethod | null> {
    const row = await db.selectFrom('two_factor').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (!row || row.enabled_at === null) throw new ApiError('two_factor_not_enabled');
    const trimmed = code.trim();
    if (/^\d{6}$/.test(trimmed)) {
      const step = matchTotp(this.secretOf(userId, row.secret_sealed), trimmed, this.clock.now());
      if (step === null) return null;
      const res = await db
        .updateTable('two_factor')
        .set({ last_step: step })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1 ? 'totp' : null;
    }
    const normal = normalizeRecoveryCode(trimmed);
    if (normal === null) return null;
    const res = await db
      .updateTable('recovery_codes')
      .set({ used_at: this.clock.now() })
      .where('user_id', '=', userId)
      .where('code_hash', '=', this.box.mac(normal))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1 ? 'recovery_code' : null;
  }

  // ── the sign-in challenge ──

  async createChallenge(userId: string): Promise<{ challengeToken: string; expiresAt: string }> {
    const token = newApiKey();
    const now = this.clock.now();
    await this.db
      .insertInto('two_factor_challenges')
      .values({ id: newId(), user_id: userId, token_hash: sha256Hex(token), created_at: now, expires_at: now + CHALLENGE_TTL_MS, used_at: null, failures: 0 })
      .execute();
    return { challengeToken: token, expiresAt: toIso(now + CHALLENGE_TTL_MS) };
  }

  /** The live challenge for this token, or 401 two_factor_challenge_expired. */
  async liveChallenge(token: string): Promise<Pick<TwoFactorChallengesTable, 'id' | 'user_id'>> {
    const row = await this.db
      .selectFrom('two_factor_challenges')
      .select(['id', 'user_id'])
      .where('token_hash', '=', sha256Hex(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', this.clock.now())
      .where('failures', '<', CHALLENGE_MAX_FAILURES)
      .executeTakeFirst();
    if (!row) throw new ApiError('two_factor_challenge_expired');
    return row;
  }

  /**
   * Spends the challenge and the code together (one transaction), or neither. A wrong code
   * counts against the challenge (CHALLENGE_MAX_FAILURES) and returns null.
   */
  async completeChallenge(challenge: Pick<TwoFactorChallengesTable, 'id' | 'user_id'>, code: string): Promise<CodeMethod | null> {
    const method = await this.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('two_factor_challenges')
        .set({ used_at: this.clock.now() })
        .where('id', '=', challenge.id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', this.clock.now())
        .where('failures', '<', CHALLENGE_MAX_FAILURES)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) throw new ApiError('two_factor_challenge_expired');
      const m = await this.consume(challenge.user_id, code, trx);
      if (m === null) throw WRONG;
      return m;
    }).catch((err: unknown) => {
      if (err === WRONG) return null;
      throw err;
    });
    if (method === null) {
      await this.db
        .updateTable('two_factor_challenges')
        .set((eb) => ({ failures: eb('failures', '+', 1) }))
        .where('id', '=', challenge.id)
        .execute();
    }
    return method;
  }

  async recoveryCodesLeft(userId: string): Promise<number> {
    return (await this.status(userId)).recoveryCodesLeft;
  }

  /** Drops expired challenges (maintenance). */
  async pruneChallenges(): Promise<void> {
    await this.db.deleteFrom('two_factor_challenges').where('expires_at', '<', this.clock.now() - CHALLENGE_TTL_MS).execute();
  }

  private secretOf(userId: string, sealed: string): string {
    const secret = this.box.open(sealed, userId);
    if (secret === null) throw new ApiError('two_factor_key_mismatch');
    return secret;
  }

  private async storeRecoveryCodes(trx: Kysely<Database>, userId: string, codes: string[]): Promise<void> {
    const now = this.clock.now();
    await trx
      .insertInto('recovery_codes')
      .values(codes.map((c) => ({ id: newId(), user_id: userId, code_hash: this.box.mac(normalizeRecoveryCode(c)!), created_at: now, used_at: null })))
      .execute();
  }
}
