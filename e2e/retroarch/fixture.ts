/** The recorded scenario format shared by retroarch.real.test.ts (writes) and replay.test.ts (reads). */
import type { RecordedExchange } from './recorder.js';

export type FixtureStep =
  /** One RetroArch start (or content session): its requests in order, with the statuses it got. */
  | { type: 'retroarch'; label: string; exchanges: RecordedExchange[] }
  /** A handheld uploaded these bytes (`base: 'head'`: over the head it had synced). */
  | { type: 'upload'; key: string; body: string; base?: 'head' }
  /** The player restored a version in the dashboard. */
  | { type: 'restore'; key: string; version: number }
  /** Something that did not change the server (a handheld download). */
  | { type: 'note'; label: string };

export interface Fixture {
  retroarch: string;
  recordedWith: string;
  steps: FixtureStep[];
}
