/**
 * Files that are never saves, wherever they appear: AppleDouble `._*` files, `.DS_Store`,
 * `Thumbs.db`, backups, temporary files, configuration files and images. The lists are data
 * (`sync_tables.ignore`) so every client ignores the same names. `not-portable` holds files that
 * look like saves but are not portable game data (RetroArch `.ldci`, FinalBurn Neo `.fs`, MAME
 * `.hi`, `.bak_<time>` backups); the data's `notes` say why for each.
 */
import { layouts, type RawIgnoreRule } from './data.js';

/** Why a file is not a save (a key of `sync_tables.ignore`: appledouble, os-metadata, backup, temporary, config, image). */
export type IgnoreReason = string;

interface Rule {
  reason: IgnoreReason;
  names: Set<string>;
  prefixes: string[];
  suffixes: string[];
  dirs: Set<string>;
  infixes: string[];
}

let rules: Rule[] | undefined;

function load(): Rule[] {
  rules ??= Object.entries(layouts().sync_tables.ignore)
    .filter((e): e is [string, RawIgnoreRule] => typeof e[1] === 'object')
    .map(([reason, r]) => ({
      reason,
      names: new Set((r.names ?? []).map((n) => n.toLowerCase())),
      prefixes: r.prefixes ?? [],
      suffixes: (r.suffixes ?? []).map((s) => s.toLowerCase()),
      dirs: new Set((r.dirs ?? []).map((d) => d.toLowerCase())),
      infixes: (r.infixes ?? []).map((s) => s.toLowerCase()),
    }));
  return rules;
}

/** Why the file at `path` (a name or a `/`-separated path) is not a save, or null when it may be one. */
export function ignoreReason(path: string): IgnoreReason | null {
  const parts = path.split(/[/\\]/).filter((p) => p !== '');
  const name = parts.pop() ?? '';
  const lower = name.toLowerCase();
  const folders = parts.map((p) => p.toLowerCase());
  for (const r of load()) {
    if (r.names.has(lower)) return r.reason;
    if (r.prefixes.some((p) => name.startsWith(p))) return r.reason;
    if (r.suffixes.some((s) => lower.endsWith(s))) return r.reason;
    if (r.infixes.some((s) => lower.includes(s))) return r.reason;
    if (folders.some((f) => r.dirs.has(f))) return r.reason;
  }
  return null;
}

/** True for names that are never saves (`._Game.srm`, `.DS_Store`, `Thumbs.db`, `Game.srm.bak`, `retroarch.cfg`, …). */
export function isIgnoredFile(name: string): boolean {
  return ignoreReason(name) !== null;
}
