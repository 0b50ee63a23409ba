/**
 * Runs the server's maintenance (retention, garbage collection, temp sweeps) once, now, against
 * the server's DATA_DIR — the same `runMaintenance` the server's hourly timer calls — and prints
 * its result as JSON. The loss harness runs it while the server is stopped, with
 * RETROSYNC_TEST_CLOCK_OFFSET_MS set, to play "weeks later" without waiting weeks.
 */
import { loadConfig, openDatabase, systemClock, type Clock } from '@retrosync/server';
import { createSyncModule } from '../../packages/server/src/sync/sync-module.js';

const offset = Number(process.env.RETROSYNC_TEST_CLOCK_OFFSET_MS ?? 0);
// If the server's own clock already honours the offset, use it as is (not twice).
const clock: Clock = Math.abs(systemClock.now() - Date.now() - offset) < 60_000 ? systemClock : { now: () => Date.now() + offset };
const config = loadConfig();
const opened = await openDatabase(config.database);
const sync = await createSyncModule({ config, db: opened.db, clock, maintenance: false });
const result = await sync.runMaintenance();
await sync.close();
await opened.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
