/**
 * The sync state in RETROSYNC_HOME/state.json: per save key what this device last synced
 * (SHA-256 of the raw bytes, base version, size and file time of the local file, its path, when
 * it was last read), the feed cursor, conflicts seen, why uploads are paused, saves that could not
 * be applied here, a pass's held deletions, and what clock-trust detection needs. Written
 * atomically after each pass. Entries are found by the key's comparison form (normalizeSaveKey:
 * the server's canonical form), so two spellings of one save are one entry.
 */
import { normalizeSaveKey } from '@retrosync/core';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from '../config/json-file.js';

const syncedEntry = z.object({
  key: z.string(),
  path: z.string(),
  sha256: z.string().nullable(),
  version: z.number().int(),
  size: z.number().int(),
  mtimeMs: z.number(),
  /** The platform writes this file RZIP-compressed; sha256 is of the raw bytes. */
  compressed: z.boolean().default(false),
  /** An auto-load state (identity's flag): moved aside when a battery save for its game arrives. */
  autoLoad: z.boolean().default(false),
  system: z.string().nullable().default(null),
  game: z.string().nullable().default(null),
  kind: z.string().nullable().default(null),
  /**
   * When the file was last read or written, on the file system's clock and on the device clock
   * (they differ only under the test clock offset): a file whose time lies within the FAT
   * granularity of that moment is hashed again (see scan.ts).
   */
  readAtMs: z.number().default(0),
  readAtDeviceMs: z.number().default(0),
  /**
   * Selective sync: a filter excluded this save since it was last synced. It is left alone while
   * excluded; when included again, a missing local file is fetched again (never read as a deletion).
   */
  excluded: z.boolean().default(false),
});
export type SyncedEntry = z.infer<typeof syncedEntry>;

const conflictNote = z.object({
  key: z.string(),
  at: z.string(),
  outcome: z.enum(['conflict_won', 'conflict_lost', 'blank_kept_aside']),
  version: z.number().int(),
  backup: z.string().nullable(),
});
export type ConflictNote = z.infer<typeof conflictNote>;

/**
 * A save this device changed while another device held a live play lease on it ("in use on
 * RG35XX+ since 14:02"): shown by `status` and in the log. Nothing was refused; the conflict
 * rule decided as always.
 */
const leaseWarning = z.object({
  key: z.string(),
  deviceName: z.string(),
  deviceId: z.string(),
  /** When the other device took the lease (ISO 8601, server clock). */
  since: z.string(),
  /** When this device changed the save (ISO 8601, device clock). */
  at: z.string(),
  /** How this device learned of it: its upload's reply, or a lease claim. */
  via: z.enum(['upload', 'claim']),
});
export type LeaseWarning = z.infer<typeof leaseWarning>;

/** What clock-trust detection needs (see time/time-trust.ts). */
const clockRecord = z.object({
  /** Boot, monotonic uptime and device time at the last server reply. */
  boot: z.string().nullable().default(null),
  uptimeMs: z.number().nullable().default(null),
  deviceTimeMs: z.number().nullable().default(null),
  /** The newest `X-Server-Time` seen, and device − server clock at that reply. */
  serverTimeMs: z.number().nullable().default(null),
  offsetMs: z.number().nullable().default(null),
  /** The boot in which this device first heard from the server, and the device time then. */
  contactBoot: z.string().nullable().default(null),
  contactDeviceTimeMs: z.number().nullable().default(null),
  /** A boot in which the clock was found to have gone back: its file times are untrusted. */
  untrustedBoot: z.string().nullable().default(null),
});
export type ClockRecord = z.infer<typeof clockRecord>;

/** A save the last pass could not apply on this device, and why (shown by `status`). */
const unappliedNote = z.object({
  key: z.string(),
  path: z.string().nullable(),
  reason: z.string(),
  /** The head then (version 0: unknown), so later passes can try again after the feed moved on. */
  version: z.number().int(),
  sha256: z.string().default(''),
  deleted: z.boolean().default(false),
  at: z.string(),
});
export type UnappliedNote = z.infer<typeof unappliedNote>;

const stateSchema = z.object({
  version: z.literal(1),
  cursor: z.number().int().nullable(),
  entries: z.record(z.string(), syncedEntry),
  /** Auto-load states moved aside after a battery save arrived: key → head version then. */
  parked: z.record(z.string(), z.number().int()).default({}),
  conflicts: z.array(conflictNote).default([]),
  leaseWarnings: z.array(leaseWarning).default([]),
  lastSyncAt: z.string().nullable().default(null),
  lastError: z.string().nullable().default(null),
  pausedUntil: z.number().nullable().default(null),
  pauseReason: z.string().nullable().default(null),
  clock: clockRecord.default(emptyClock()),
  /** Normalized key → why the save could not be applied here. */
  unapplied: z.record(z.string(), unappliedNote).default({}),
  /** Why the last pass read no missing file as a deletion (null: it did not hold them). */
  held: z.object({ reason: z.string(), at: z.string(), missing: z.number().int() }).nullable().default(null),
  /**
   * Selective sync: this device's filter on the server as the last feed page gave it (null:
   * everything) with its revision, and the local filter (config.json) the cursor was read under.
   */
  filter: z
    .object({ server: z.unknown().nullable().default(null), revision: z.number().int().default(0), local: z.string().nullable().default(null) })
    .default({ server: null, revision: 0, local: null }),
});
export type SyncStateData = z.infer<typeof stateSchema>;

const MAX_CONFLICT_NOTES = 100;
const MAX_LEASE_WARNINGS = 20;

function emptyClock(): ClockRecord {
  return { boot: null, uptimeMs: null, deviceTimeMs: null, serverTimeMs: null, offsetMs: null, contactBoot: null, contactDeviceTimeMs: null, untrustedBoot: null };
}

export function emptyState(): SyncStateData {
  return { version: 1, cursor: null, entries: {}, parked: {}, conflicts: [], leaseWarnings: [], lastSyncAt: null, lastError: null, pausedUntil: null, pauseReason: null, clock: emptyClock(), unapplied: {}, held: null, filter: { server: null, revision: 0, local: null } };
}

const ids = new Map<string, string>();
const MAX_IDS = 200_000;

/**
 * The comparison form of a key; a key that does not parse is its own form (placing it fails
 * later, with a reason). Memoized: a pass asks for it several times per save, and parsing and
 * NFC-normalizing 10,000 keys each time would double the cost of a rescan.
 */
export function keyId(key: string): string {
  let id = ids.get(key);
  if (id !== undefined) return id;
  try {
    id = normalizeSaveKey(key);
  } catch {
    id = key;
  }
  if (ids.size >= MAX_IDS) ids.clear();
  ids.set(key, id);
  return id;
}

/** Re-keys entries and parked states written before keys were compared in their normalized form. */
function normalized(data: SyncStateData): SyncStateData {
  const entries: SyncStateData['entries'] = {};
  for (const e of Object.values(data.entries)) entries[keyId(e.key)] = e;
  const parked: SyncStateData['parked'] = {};
  for (const [k, v] of Object.entries(data.parked)) parked[keyId(k)] = v;
  return { ...data, entries, parked };
}

/** Rewrite the file at least this often even when only `lastSyncAt` moved. */
const SAVE_IDLE_MS = 60_000;

/**
 * In-memory state with a by-path index; `save()` persists it — only when something changed
 * (entries, cursor, pause, parked states, errors) or a minute has passed, so a pass with nothing
 * to do over 10,000 saves does not rewrite a megabytes-large file.
 */
export class SyncState {
  private byPath = new Map<string, SyncedEntry>();
  private changes = 0;
  private savedShape: string;
  private savedAt: number;

  constructor(
    readonly data: SyncStateData,
    private readonly file: string | null,
  ) {
    for (const e of Object.values(data.entries)) this.byPath.set(e.path, e);
    this.savedShape = this.shape();
    this.savedAt = Date.now();
  }

  private shape(): string {
    const d = this.data;
    return JSON.stringify([d.cursor, d.parked, d.pausedUntil, d.pauseReason, d.lastError, d.conflicts.length, d.leaseWarnings.length, d.leaseWarnings.at(-1)?.at, d.unapplied, d.held, d.clock.untrustedBoot, d.clock.contactBoot, d.filter]);
  }

  static async load(file: string): Promise<SyncState> {
    const raw = await readJson(file).catch(() => null);
    const parsed = stateSchema.safeParse(raw);
    return new SyncState(parsed.success ? normalized(parsed.data) : emptyState(), file);
  }

  static memory(): SyncState {
    return new SyncState(emptyState(), null);
  }

  get(key: string): SyncedEntry | undefined {
    return this.data.entries[keyId(key)];
  }

  atPath(path: string): SyncedEntry | undefined {
    return this.byPath.get(path);
  }

  /** Records what was synced (`excluded` defaults to false: a save that was just synced is included). */
  set(input: Omit<SyncedEntry, 'excluded'> & { excluded?: boolean }): void {
    const entry: SyncedEntry = { ...input, excluded: input.excluded ?? false };
    const id = keyId(entry.key);
    const old = this.data.entries[id];
    if (old && old.path !== entry.path && this.byPath.get(old.path) === old) this.byPath.delete(old.path);
    this.data.entries[id] = entry;
    this.byPath.set(entry.path, entry);
    this.changes++;
  }

  /** Forgets what this device synced of `key` (a save excluded and gone here: included again, it is fetched as new). */
  forget(key: string): void {
    const id = keyId(key);
    const old = this.data.entries[id];
    if (!old) return;
    if (this.byPath.get(old.path) === old) this.byPath.delete(old.path);
    delete this.data.entries[id];
    this.changes++;
  }

  /** The keys of every entry (as the device or server spelled them). */
  keys(): string[] {
    return Object.values(this.data.entries).map((e) => e.key);
  }

  /** Notes that `key` could not be applied here (replaces an earlier note for it). */
  noteUnapplied(note: UnappliedNote): void {
    this.data.unapplied[keyId(note.key)] = note;
  }

  clearUnapplied(key: string): void {
    delete this.data.unapplied[keyId(key)];
  }

  /** Something outside the entries changed that must be written (the clock record). */
  touch(): void {
    this.changes++;
  }

  noteConflict(note: ConflictNote): void {
    this.data.conflicts.push(note);
    if (this.data.conflicts.length > MAX_CONFLICT_NOTES) this.data.conflicts.splice(0, this.data.conflicts.length - MAX_CONFLICT_NOTES);
  }

  noteLeaseWarning(note: LeaseWarning): void {
    this.data.leaseWarnings.push(note);
    if (this.data.leaseWarnings.length > MAX_LEASE_WARNINGS) this.data.leaseWarnings.splice(0, this.data.leaseWarnings.length - MAX_LEASE_WARNINGS);
  }

  /** Persists the state if it changed (or `force`, or a minute passed since the last write). */
  async save(force = false): Promise<boolean> {
    if (!this.file) return false;
    const shape = this.shape();
    if (!force && this.changes === 0 && shape === this.savedShape && Date.now() - this.savedAt < SAVE_IDLE_MS) return false;
    await writeJsonAtomic(this.file, this.data, 0o600);
    this.changes = 0;
    this.savedShape = shape;
    this.savedAt = Date.now();
    return true;
  }
}
