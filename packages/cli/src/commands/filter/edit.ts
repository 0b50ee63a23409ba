/** Pure half of `retrosync filter`: options → a new filter (read → plan → write). */
import { checkSyncFilter, normalizeGameEntry, SYNC_EVERYTHING, type SyncFilter } from '@retrosync/core';
import { UsageError, type Values } from '../../cli/command.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);

/** Applies `set` options to `current`; throws UsageError for contradictory or malformed options. */
export function editFilter(current: SyncFilter, values: Values): SyncFilter {
  const next: SyncFilter = { ...current, systems: [...current.systems], includeGames: [...current.includeGames], excludeGames: [...current.excludeGames] };
  const modes = ['only', 'except', 'all-systems'].filter((m) => values[m] !== undefined && values[m] !== false);
  if (modes.length > 1) throw new UsageError(`--${modes.join(' and --')} cannot be combined`);
  if (values.only !== undefined) next.systemMode = 'only', next.systems = list(values.only);
  if (values.except !== undefined) next.systemMode = 'except', next.systems = list(values.except);
  if (values['all-systems']) next.systemMode = 'all', next.systems = [];
  if (values.states !== undefined) {
    const s = String(values.states).toLowerCase();
    if (!['on', 'off', 'true', 'false'].includes(s)) throw new UsageError('--states takes on or off');
    next.states = s === 'on' || s === 'true';
  }
  const norm = (g: string) => {
    try {
      return normalizeGameEntry(g);
    } catch (err) {
      throw new UsageError(`${JSON.stringify(g)}: ${(err as Error).message.replace(/^game: /, '')}`);
    }
  };
  const drop = (games: string[], gone: string[]) => games.filter((g) => !gone.includes(norm(g)));
  const forget = (values.forget as string[] | undefined ?? []).map(norm);
  const include = (values.include as string[] | undefined) ?? [];
  const exclude = (values.exclude as string[] | undefined) ?? [];
  // A game named again moves to the list it is named in now.
  next.includeGames = drop(next.includeGames, [...forget, ...exclude.map(norm)]).concat(include);
  next.excludeGames = drop(next.excludeGames, [...forget, ...include.map(norm)]).concat(exclude);
  try {
    return checkSyncFilter(next);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export const EVERYTHING: SyncFilter = { ...SYNC_EVERYTHING, systems: [], includeGames: [], excludeGames: [] };
