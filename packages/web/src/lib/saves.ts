/** Save keys (`<system>/<game>/<kind>`) as the dashboard shows them. Pure; unit-tested. */

const SYSTEM_NAMES: Record<string, string> = {
  gb: 'Game Boy',
  gbc: 'Game Boy Color',
  gba: 'Game Boy Advance',
  nes: 'NES / Famicom',
  snes: 'SNES / Super Famicom',
  genesis: 'Mega Drive / Genesis',
  sms: 'Master System',
  gg: 'Game Gear',
  n64: 'Nintendo 64',
  nds: 'Nintendo DS',
  ps1: 'PlayStation',
  psp: 'PSP',
  pce: 'PC Engine',
  ngp: 'Neo Geo Pocket',
  ws: 'WonderSwan',
  arcade: 'Arcade',
};

export function systemLabel(system: string): string {
  return SYSTEM_NAMES[system] ?? system.toUpperCase();
}

/** "battery" → "In-game save", "rtc" → "Clock", "state/mGBA/2" → "State slot 2 (mGBA)". */
export function kindLabel(kind: string): string {
  if (kind === 'battery') return 'In-game save';
  if (kind === 'rtc') return 'Clock (RTC)';
  const state = /^state\/([^/]+)\/([^/]+)$/.exec(kind);
  if (state) return `State slot ${state[2]} (${state[1]})`;
  return kind;
}

export function splitKey(key: string): { system: string; game: string; kind: string } {
  const [system = '', game = '', ...kind] = key.split('/');
  return { system, game, kind: kind.join('/') };
}

/** URL path of a save: each key segment percent-encoded, as the API expects. */
export function savePath(key: string): string {
  return `/api/sync/saves/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export function downloadUrl(key: string, version: number): string {
  return `${savePath(key)}?version=${version}`;
}

/** A file name for a downloaded version: `Game (v3).sav`, states as `.state`. */
export function downloadName(key: string, version: number): string {
  const { game, kind } = splitKey(key);
  const ext = kind === 'battery' ? 'sav' : kind === 'rtc' ? 'rtc' : 'state';
  const safe = game.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_') || 'save';
  return `${safe} (v${version}).${ext}`;
}

/** Groups items by system (systems in label order), games sorted within each. */
export function groupBySystem<T extends { system: string; game: string; kind: string }>(
  items: readonly T[],
): Array<{ system: string; label: string; items: T[] }> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(item.system) ?? [];
    list.push(item);
    groups.set(item.system, list);
  }
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  return [...groups.entries()]
    .map(([system, list]) => ({
      system,
      label: systemLabel(system),
      items: list.sort((a, b) => collator.compare(a.game, b.game) || collator.compare(a.kind, b.kind)),
    }))
    .sort((a, b) => collator.compare(a.label, b.label));
}

/**
 * Conflict copies the player has not answered yet: a conflict version with no restore made
 * after it (pressing "Keep this one" or restoring any version is an answer). Deletions are not
 * offered: a modification beats a deletion, and a deletion holds no save to keep.
 */
export function unansweredConflicts<T extends { version: number; conflict: boolean; restoredFrom: number | null; deleted?: boolean }>(
  versions: readonly T[],
): T[] {
  const lastRestore = Math.max(0, ...versions.filter((v) => v.restoredFrom !== null).map((v) => v.version));
  return versions.filter((v) => v.conflict && !v.deleted && v.version > lastRestore);
}
