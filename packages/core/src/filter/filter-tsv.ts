/**
 * A filter as TAB-separated lines, for the shell client (the server answers
 * `GET /api/sync/filter?format=tsv` with it; the shell client writes its local filter the same way):
 *
 *   system_mode   all | only | except
 *   states        true | false
 *   system        <id>                  one line per listed system
 *   include_game  <system>/<game>       each segment percent-encoded (as in URLs), so no TAB,
 *   exclude_game  <system>/<game>       newline or space
 *   revision      <N>                   (server only) changes whenever the filter changes
 *
 * Readers ignore lines they do not know.
 */
import { encodeSaveKeyPath, decodeSaveKeyPath } from '../key/save-key.js';
import { checkSyncFilter, SYNC_EVERYTHING, type SyncFilter, type SystemMode } from './sync-filter.js';

export function filterToTsv(filter: SyncFilter, extra: Record<string, string | number> = {}): string {
  const lines = [`system_mode\t${filter.systemMode}`, `states\t${filter.states}`];
  for (const s of filter.systems) lines.push(`system\t${s}`);
  for (const g of filter.includeGames) lines.push(`include_game\t${encodeSaveKeyPath(g)}`);
  for (const g of filter.excludeGames) lines.push(`exclude_game\t${encodeSaveKeyPath(g)}`);
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}\t${v}`);
  return `${lines.join('\n')}\n`;
}

/** Parses {@link filterToTsv}'s format (checked with checkSyncFilter). */
export function filterFromTsv(text: string): SyncFilter {
  const f: SyncFilter = { ...SYNC_EVERYTHING, systems: [], includeGames: [], excludeGames: [] };
  for (const line of text.split(/\r?\n/)) {
    const [name, value = ''] = line.split('\t');
    if (name === 'system_mode') f.systemMode = value as SystemMode;
    else if (name === 'states') f.states = value === 'true';
    else if (name === 'system') f.systems.push(value);
    else if (name === 'include_game') f.includeGames.push(decodeSaveKeyPath(value));
    else if (name === 'exclude_game') f.excludeGames.push(decodeSaveKeyPath(value));
  }
  return checkSyncFilter(f);
}
