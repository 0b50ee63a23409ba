/**
 * The sync log: devices record events; a device reads its own log, a user all of theirs.
 * Scoping: every query filters by the caller's user id; a device caller is further pinned to its
 * own device id (asking for another device → 403).
 */
import type { Kysely } from 'kysely';
import { ApiError, type SyncLog } from '@retrosync/api';
import type { Clock } from '../clock.js';
import { newId, toIso, type Database, type SyncLogsTable } from '../db/schema.js';
import type { EventHub } from '../events/event-hub.js';
import type { AuthContext } from '../http/auth.js';

export interface NewLogInput {
  action: SyncLogsTable['action'];
  filePath: string;
  fileSize?: number | undefined;
  status: SyncLogsTable['status'];
  errorMsg?: string | undefined;
  metadata?: string | undefined;
}

export interface LogFilter {
  deviceId?: string | undefined;
  action?: SyncLogsTable['action'] | undefined;
  status?: SyncLogsTable['status'] | undefined;
  limit: number;
  offset: number;
}

export class SyncLogService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    /** Where new entries are announced (`log` events for the dashboard's live activity). */
    private readonly events?: Pick<EventHub, 'publish'>,
  ) {}

  async record(userId: string, deviceId: string, deviceName: string, input: NewLogInput): Promise<SyncLog> {
    const row = {
      id: newId(),
      user_id: userId,
      device_id: deviceId,
      action: input.action,
      file_path: input.filePath,
      file_size: input.fileSize ?? null,
      status: input.status,
      error_msg: input.errorMsg ?? null,
      metadata: input.metadata ?? null,
      created_at: this.clock.now(),
    };
    await this.db.insertInto('sync_logs').values(row).execute();
    const log: SyncLog = {
      id: row.id,
      deviceId,
      deviceName,
      action: row.action,
      filePath: row.file_path,
      fileSize: row.file_size,
      status: row.status,
      errorMsg: row.error_msg,
      metadata: row.metadata,
      createdAt: toIso(row.created_at),
    };
    await this.events?.publish(userId, { type: 'log', data: log });
    return log;
  }

  async list(auth: AuthContext, filter: LogFilter): Promise<{ logs: SyncLog[]; total: number }> {
    let deviceId = filter.deviceId;
    if (auth.kind === 'device') {
      if (deviceId !== undefined && deviceId !== auth.deviceId) throw new ApiError('forbidden', 'A device key can only read its own log.');
      deviceId = auth.deviceId;
    } else if (deviceId !== undefined) {
      const row = await this.db.selectFrom('devices').select(['user_id']).where('id', '=', deviceId).executeTakeFirst();
      if (!row) throw new ApiError('not_found', 'No such device.');
      if (row.user_id !== auth.userId) throw new ApiError('forbidden', 'This device belongs to another account.');
    }
    let base = this.db.selectFrom('sync_logs').where('sync_logs.user_id', '=', auth.userId);
    if (deviceId !== undefined) base = base.where('sync_logs.device_id', '=', deviceId);
    if (filter.action) base = base.where('sync_logs.action', '=', filter.action);
    if (filter.status) base = base.where('sync_logs.status', '=', filter.status);
    const [{ n }, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base
        .innerJoin('devices', 'devices.id', 'sync_logs.device_id')
        .selectAll('sync_logs')
        .select('devices.name as device_name')
        .orderBy('sync_logs.created_at', 'desc')
        .orderBy('sync_logs.id', 'desc')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
    ]);
    return {
      total: Number(n),
      logs: rows.map((r) => ({
        id: r.id,
        deviceId: r.device_id,
        deviceName: r.device_name,
        action: r.action,
        filePath: r.file_path,
        fileSize: r.file_size,
        status: r.status,
        errorMsg: r.error_msg,
        metadata: r.metadata,
        createdAt: toIso(r.created_at),
      })),
    };
  }
}
