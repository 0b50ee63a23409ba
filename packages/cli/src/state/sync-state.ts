/**
 * The sync state in RETROSYNC_HOME/state.json: per save key what this device last synced
 * (SHA-256 of the raw bytes, base version, size and file time of the local file, its path), the
 * feed cursor, conflicts seen, and why uploads are paused. Written atomically after each pass.
 */
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

const stateSchema = z.object({
  version: z.literal(1),
  cursor: z.number().int().nullable(),
  entries: z.record(z.string(), syncedEntry),
  /** Auto-load states moved aside after a battery save arrived: key → head version then. */
  parked: z.record(z.string(), z.number().int()).default({}),
  conflicts: z.array(conflictNote).default([]),
  lastSyncAt: z.string().nullable().default(null),
  lastError: z.string().nullable().default(null),
  pausedUntil: z.number().nullable().default(null),
  pauseReason: z.string().nullable().default(null),
});
export type SyncStateData = z.infer<typeof stateSchema>;

const MAX_CONFLICT_NOTES = 100;

export function emptyState(): SyncStateData {
  return { version: 1, cursor: null, entries: {}, parked: {}, conflicts: [], lastSyncAt: null, lastError: null, pausedUntil: null, pauseReason: null };
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
    return JSON.stringify([d.cursor, d.parked, d.pausedUntil, d.pauseReason, d.lastError, d.conflicts.length]);
  }

  static async load(file: string): Promise<SyncState> {
    const raw = await readJson(file).catch(() => null);
    const parsed = stateSchema.safeParse(raw);
    return new SyncState(parsed.success ? parsed.data : emptyState(), file);
  }

  static memory(): SyncState {
    return new SyncState(emptyState(), null);
  }

  get(key: string): SyncedEntry | undefined {
    return this.data.entries[key];
  }

  atPath(path: string): SyncedEntry | undefined {
    return this.byPath.get(path);
  }

  set(entry: SyncedEntry): void {
    const old = this.data.entries[entry.key];
    if (old && old.path !== entry.path && this.byPath.get(old.path) === old) this.byPath.delete(old.path);
    this.data.entries[entry.key] = entry;
    this.byPath.set(entry.path, entry);
    this.changes++;
  }

  keys(): string[] {
    return Object.keys(this.data.entries);
  }

  noteConflict(note: ConflictNote): void {
    this.data.conflicts.push(note);
    if (this.data.conflicts.length > MAX_CONFLICT_NOTES) this.data.conflicts.splice(0, this.data.conflicts.length - MAX_CONFLICT_NOTES);
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
