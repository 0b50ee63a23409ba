/** Accounts: register, login, profile, password change, deletion. Every method is scoped by user id. */
import type { Kysely } from 'kysely';
import { ApiError, type SubscriptionTier, type User } from '@retrosync/api';
import type { Clock } from '../clock.js';
import { newId, toIso, type Database, type UserRow } from '../db/schema.js';
import type { JwtService } from '../security/jwt.js';
import type { DeviceKeyCache } from '../http/device-cache.js';
import { dummyHash, hashPassword, verifyPassword } from '../security/passwords.js';

export function userToWire(u: UserRow): User {
  return { id: u.id, email: u.email, name: u.name, subscriptionTier: u.subscription_tier, createdAt: toIso(u.created_at) };
}

/** Trimmed and lower-cased; the schemas already do this, services do it again for direct callers. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e.message ?? '');
}

export interface Session {
  user: User;
  token: string;
}

export class UserService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly jwt: JwtService,
    private readonly defaultTier: SubscriptionTier,
    private readonly deviceCache?: DeviceKeyCache,
  ) {}

  private session(row: UserRow): Session {
    return { user: userToWire(row), token: this.jwt.sign({ userId: row.id, email: row.email }) };
  }

  async register(input: { email: string; password: string; name?: string | undefined }): Promise<Session> {
    const email = normalizeEmail(input.email);
    const now = this.clock.now();
    const row: UserRow = {
      id: newId(),
      email,
      password_hash: await hashPassword(input.password),
      name: input.name ?? null,
      subscription_tier: this.defaultTier,
      created_at: now,
      updated_at: now,
      tokens_valid_after: 0,
    };
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ApiError('email_taken');
      throw err;
    }
    return this.session(row);
  }

  /** Returns null on a wrong email or password (the caller counts the failure). */
  async login(input: { email: string; password: string }): Promise<Session | null> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(input.email)).executeTakeFirst();
    if (!row) {
      await verifyPassword(await dummyHash(), input.password);
      return null;
    }
    return (await verifyPassword(row.password_hash, input.password)) ? this.session(row) : null;
  }

  /** The id of the account with this email, if any (the audit log of a failed sign-in). */
  async idForEmail(email: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('users').select('id').where('email', '=', normalizeEmail(email)).executeTakeFirst();
    return row?.id;
  }

  async get(userId: string): Promise<UserRow> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!row) throw new ApiError('unauthorized', 'This account no longer exists.');
    return row;
  }

  async rename(userId: string, name: string | null): Promise<User> {
    await this.db.updateTable('users').set({ name, updated_at: this.clock.now() }).where('id', '=', userId).execute();
    return userToWire(await this.get(userId));
  }

  /** True when `password` is the user's password. */
  async checkPassword(userId: string, password: string): Promise<boolean> {
    return verifyPassword((await this.get(userId)).password_hash, password);
  }

  /** A session for this user (the second sign-in step, once the code is checked). */
  async sessionFor(userId: string): Promise<Session> {
    return this.session(await this.get(userId));
  }

  /** Refuses every token issued before this second (other browsers, other API clients) and returns a fresh session. */
  async signOutOtherSessions(userId: string): Promise<Session> {
    const now = this.clock.now();
    await this.db.updateTable('users').set({ tokens_valid_after: Math.floor(now / 1000) * 1000, updated_at: now }).where('id', '=', userId).execute();
    return this.session(await this.get(userId));
  }

  /** Checks the current password, stores the new one and invalidates older tokens; returns a fresh session. */
  async changePassword(userId: string, current: string, next: string): Promise<Session | null> {
    const row = await this.get(userId);
    if (!(await verifyPassword(row.password_hash, current))) return null;
    const now = this.clock.now();
    // JWT iat has seconds precision: tokens issued from this second on stay valid.
    const validAfter = Math.floor(now / 1000) * 1000;
    await this.db
      .updateTable('users')
      .set({ password_hash: await hashPassword(next), updated_at: now, tokens_valid_after: validAfter })
      .where('id', '=', userId)
      .execute();
    return this.session(await this.get(userId));
  }

  /** Deletes the user; devices, codes, logs (and sync tables) go with it by ON DELETE CASCADE. */
  async delete(userId: string, password: string): Promise<boolean> {
    const row = await this.get(userId);
    if (!(await verifyPassword(row.password_hash, password))) return false;
    await this.db.deleteFrom('users').where('id', '=', userId).execute();
    await this.deviceCache?.forgetUserEverywhere(userId);
    return true;
  }
}
