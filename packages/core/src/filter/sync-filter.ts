/**
 * Selective sync: which saves a device syncs. One rule, used by the server (change feed, event
 * stream, uploads and downloads of a device), the desktop client and — through the shared
 * vectors `vectors/sync-filter.json` — the shell client.
 *
 * A filter has
 *   systemMode     `all` | `only` (just the listed systems) | `except` (all but the listed ones)
 *   systems        canonical system ids (`gba`, `snes`, …)
 *   includeGames   `<system>/<game>`: synced even when their system is not
 *   excludeGames   `<system>/<game>`: never synced (wins over everything else)
 *   states         whether save states sync at all (states only work with the same core)
 *
 * The rule for a save key `<system>/<game>/<kind>`, in this order:
 *   1. a state (`state/<core>/<slot>`) with `states: false` → not synced;
 *   2. the game in `excludeGames` → not synced;
 *   3. the game in `includeGames` → synced;
 *   4. `systemMode`: all → synced; only → synced when the system is listed; except → synced when
 *      it is not.
 * Games compare in the key's comparison form (normalizeName): `gba/Pokémon  Emerald` and
 * `gba/pokemon emerald`… compare as the server compares save keys. Battery and rtc saves of a game
 * follow the same rule (rtc is not a state).
 *
 * Several filters combine: a save syncs on a device only when every filter allows it (the
 * device's filter on the server AND its local one). Excluding is never deleting: a save a
 * filter excludes is left alone everywhere — not uploaded, not downloaded, not deleted.
 */
import { InvalidSaveKeyError, normalizeName, parseSaveKey } from '../key/save-key.js';

export type SystemMode = 'all' | 'only' | 'except';
export const SYSTEM_MODES: readonly SystemMode[] = ['all', 'only', 'except'];

export interface SyncFilter {
  systemMode: SystemMode;
  systems: string[];
  includeGames: string[];
  excludeGames: string[];
  states: boolean;
}

/** Everything syncs (what a device without a filter does). */
export const SYNC_EVERYTHING: Readonly<SyncFilter> = Object.freeze({ systemMode: 'all', systems: [], includeGames: [], excludeGames: [], states: true });

/** Most entries in one list. */
export const MAX_FILTER_ENTRIES = 500;

const SYSTEM_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export class InvalidFilterError extends Error {
  override readonly name = 'InvalidFilterError';
  constructor(
    /** The field at fault (`systems`, `includeGames[2]`, …). */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** `<system>/<game>` in its comparison form; throws {@link InvalidFilterError} when malformed. */
export function normalizeGameEntry(entry: string, field = 'game'): string {
  const slash = entry.indexOf('/');
  if (slash < 1) throw new InvalidFilterError(field, `expected <system>/<game>, e.g. "gba/Pokemon Emerald", got ${JSON.stringify(entry)}`);
  try {
    const k = parseSaveKey(`${entry.slice(0, slash).toLowerCase()}${entry.slice(slash)}/battery`);
    return `${k.system}/${normalizeName(k.game)}`;
  } catch (err) {
    if (err instanceof InvalidSaveKeyError) throw new InvalidFilterError(field, err.reason.replace(/^game/, 'the game name'));
    throw err;
  }
}

/**
 * Checks a filter and returns it tidied: systems lower-cased, de-duplicated and sorted; game
 * entries NFC-normalised and de-duplicated (by their comparison form, first spelling kept).
 * Throws {@link InvalidFilterError} naming the field.
 */
export function checkSyncFilter(input: SyncFilter): SyncFilter {
  if (!SYSTEM_MODES.includes(input.systemMode)) throw new InvalidFilterError('systemMode', 'must be all, only or except');
  if (typeof input.states !== 'boolean') throw new InvalidFilterError('states', 'must be true or false');
  const lists = { systems: input.systems, includeGames: input.includeGames, excludeGames: input.excludeGames };
  for (const [name, list] of Object.entries(lists)) {
    if (!Array.isArray(list)) throw new InvalidFilterError(name, 'must be a list');
    if (list.length > MAX_FILTER_ENTRIES) throw new InvalidFilterError(name, `at most ${MAX_FILTER_ENTRIES} entries`);
  }
  const systems = [...new Set(input.systems.map((s, i) => {
    const id = String(s).trim().toLowerCase();
    if (!SYSTEM_RE.test(id)) throw new InvalidFilterError(`systems[${i}]`, `${JSON.stringify(s)} is not a system id like "gba"`);
    return id;
  }))].sort();
  const tidyGames = (list: string[], name: string) => {
    const seen = new Map<string, string>();
    list.forEach((g, i) => {
      const text = String(g).normalize('NFC').trim();
      const norm = normalizeGameEntry(text, `${name}[${i}]`);
      if (!seen.has(norm)) seen.set(norm, text.replace(/^([^/]+)/, (s) => s.toLowerCase()));
    });
    return seen;
  };
  const include = tidyGames(input.includeGames, 'includeGames');
  const exclude = tidyGames(input.excludeGames, 'excludeGames');
  for (const [norm, text] of include) {
    if (exclude.has(norm)) throw new InvalidFilterError('includeGames', `${JSON.stringify(text)} is also in excludeGames; a game is either always or never synced`);
  }
  return { systemMode: input.systemMode, systems, includeGames: [...include.values()], excludeGames: [...exclude.values()], states: input.states };
}

/** A filter prepared for matching many keys (game entries in comparison form). */
export interface CompiledFilter {
  filter: SyncFilter;
  systems: ReadonlySet<string>;
  include: ReadonlySet<string>;
  exclude: ReadonlySet<string>;
}

const compiledCache = new WeakMap<SyncFilter, CompiledFilter>();

export function compileFilter(filter: SyncFilter): CompiledFilter {
  let c = compiledCache.get(filter);
  if (!c) {
    const games = (list: string[]) => new Set(list.flatMap((g) => { try { return [normalizeGameEntry(g)]; } catch { return []; } }));
    c = { filter, systems: new Set(filter.systems), include: games(filter.includeGames), exclude: games(filter.excludeGames) };
    compiledCache.set(filter, c);
  }
  return c;
}

/** Whether `filter` lets the save `key` sync. A key that does not parse never syncs. */
export function filterAllows(filter: SyncFilter | CompiledFilter, key: string): boolean {
  const c = 'filter' in filter ? filter : compileFilter(filter);
  let parsed;
  try {
    parsed = parseSaveKey(key);
  } catch {
    return false;
  }
  if (parsed.kind.type === 'state' && !c.filter.states) return false;
  const game = `${parsed.system}/${normalizeName(parsed.game)}`;
  if (c.exclude.has(game)) return false;
  if (c.include.has(game)) return true;
  switch (c.filter.systemMode) {
    case 'all':
      return true;
    case 'only':
      return c.systems.has(parsed.system);
    case 'except':
      return !c.systems.has(parsed.system);
  }
}

/** Several filters combined: the save syncs only when every one allows it (none = everything). */
export function filtersAllow(filters: readonly (SyncFilter | CompiledFilter)[], key: string): boolean {
  return filters.every((f) => filterAllows(f, key));
}

/** Whether the filter excludes nothing at all. */
export function isSyncEverything(filter: SyncFilter): boolean {
  return filter.states && filter.excludeGames.length === 0 && (filter.systemMode === 'all' || (filter.systemMode === 'except' && filter.systems.length === 0));
}

export function sameFilter(a: SyncFilter, b: SyncFilter): boolean {
  const t = (f: SyncFilter) => JSON.stringify([f.systemMode, [...f.systems].sort(), [...f.includeGames].sort(), [...f.excludeGames].sort(), f.states]);
  return t(a) === t(b);
}

/** One line a person reads: "only gba, snes; states off; never gba/Pokemon Emerald". */
export function describeFilter(filter: SyncFilter): string {
  if (isSyncEverything(filter) && filter.includeGames.length === 0) return 'everything';
  const parts: string[] = [];
  if (filter.systemMode === 'all') parts.push('all systems');
  else if (filter.systemMode === 'only') parts.push(filter.systems.length ? `only ${filter.systems.join(', ')}` : 'no system');
  else parts.push(filter.systems.length ? `all systems except ${filter.systems.join(', ')}` : 'all systems');
  if (filter.includeGames.length) parts.push(`also ${filter.includeGames.join(', ')}`);
  if (filter.excludeGames.length) parts.push(`never ${filter.excludeGames.join(', ')}`);
  parts.push(filter.states ? 'states on' : 'states off');
  return parts.join('; ');
}
