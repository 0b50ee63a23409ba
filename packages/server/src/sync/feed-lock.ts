/**
 * The per-user feed lock and counter. Every transaction that changes a user's saves (or deletes
 * their blobs) calls {@link lockUserFeed} first. On PostgreSQL the `UPDATE` takes the row lock
 * until commit, so one user's writers are serialised and feed positions become visible in the
 * order they were given: a reader that has seen position N will never later find a new change
 * at a position ≤ N. On SQLite the database already serialises writers.
 */
import { sql } from 'kysely';
import type { SyncDb } from './schema.js';

export async function lockUserFeed(trx: SyncDb, userId: string): Promise<void> {
  await trx.insertInto('sync_feeds').values({ user_id: userId, last_seq: 0 }).onConflict((oc) => oc.column('user_id').doNothing()).execute();
  await trx.updateTable('sync_feeds').set({ last_seq: sql`last_seq` }).where('user_id', '=', userId).execute();
}

/** Takes the next feed position (call while holding the lock). */
export async function nextFeedSeq(trx: SyncDb, userId: string): Promise<number> {
  const row = await trx
    .updateTable('sync_feeds')
    .set({ last_seq: sql`last_seq + 1` })
    .where('user_id', '=', userId)
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  return Number(row.last_seq);
}
