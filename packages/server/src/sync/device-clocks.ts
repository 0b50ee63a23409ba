/**
 * Per device, the clock it showed at its last upload or deletion (table `device_clocks`): what
 * the clock-jump check of core/sync/time-trust.ts compares a new request against. Kept apart
 * from the heartbeat's `devices.clock_offset_ms`, so a check-in after a clock reset cannot hide
 * the jump from the next write.
 */
import { judgeEditTime, type DeviceTimeState, type EditTimeInput, type EditTimeJudgement } from '@retrosync/core';
import type { SyncDb } from './schema.js';

export async function loadDeviceClock(db: SyncDb, deviceId: string): Promise<DeviceTimeState | null> {
  const row = await db.selectFrom('device_clocks').selectAll().where('device_id', '=', deviceId).executeTakeFirst();
  if (!row) return null;
  return { offsetMs: Number(row.offset_ms), seenAt: Number(row.seen_at), boot: row.boot, jumpAt: row.jump_at === null ? null : Number(row.jump_at), jumpBoot: row.jump_boot };
}

export async function storeDeviceClock(db: SyncDb, userId: string, deviceId: string, s: DeviceTimeState): Promise<void> {
  const values = { offset_ms: s.offsetMs, seen_at: s.seenAt, boot: s.boot, jump_at: s.jumpAt, jump_boot: s.jumpBoot };
  await db
    .insertInto('device_clocks')
    .values({ device_id: deviceId, user_id: userId, ...values })
    .onConflict((oc) => oc.column('device_id').doUpdateSet(values))
    .execute();
}

/** Judges an edit's time against the device's stored clock and stores the new one. */
export async function judgeDeviceEdit(db: SyncDb, userId: string, deviceId: string, input: Omit<EditTimeInput, 'previous'>): Promise<EditTimeJudgement> {
  const judgement = judgeEditTime({ ...input, previous: await loadDeviceClock(db, deviceId) });
  if (judgement.next) await storeDeviceClock(db, userId, deviceId, judgement.next);
  return judgement;
}
