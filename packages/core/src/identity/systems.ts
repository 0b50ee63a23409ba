/**
 * Folder name → canonical system. Names are compared whole or token by token, never as
 * substrings: `snes9x` is SNES, `genesis` / `megadrive` are not NES, `gba` is not GB.
 */
import { normalizeName } from '../key/save-key.js';
import { tables } from './tables.js';

const unique = (xs: Iterable<string>): string[] => [...new Set(xs)];

/** Tokens of a name: runs of letters and digits, case-folded (`Game Boy Advance (GBA)` → game, boy, advance, gba). */
export function nameTokens(name: string): string[] {
  return normalizeName(name)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== '');
}

function byTokens(name: string, lookup: (token: string) => readonly string[]): string[] {
  return unique(nameTokens(name).flatMap(lookup));
}

function tagLookup(token: string): string[] {
  const s = tables().tagFolded.get(token);
  return s ? [s] : [];
}

function folderLookup(token: string): string[] {
  const s = tables().folderFolded.get(token);
  return s ? [s] : [];
}

function coreLookup(token: string): readonly string[] {
  return tables().coreFolded.get(token) ?? [];
}

/**
 * Systems a core folder (RetroArch `sort_savefiles_enable`: the core's library_name) can hold:
 * exact name, then case-insensitive, then token by token. Several for multi-system cores.
 */
export function systemsForCore(folder: string): string[] {
  const t = tables();
  const exact = t.coreExact.get(folder) ?? t.coreFolded.get(normalizeName(folder));
  if (exact) return [...exact];
  return byTokens(folder, (tok) => [...coreLookup(tok), ...folderLookup(tok)]);
}

/** The system of a MinUI-style tag folder (`GBA`, `SFC`, `MD`, …), or [] when it is none. */
export function systemsForTag(tag: string): string[] {
  const s = tables().tagFolded.get(normalizeName(tag));
  return s ? [s] : [];
}

/**
 * Systems a system or content folder names: Batocera/ES folder names (`megadrive`, `psx`),
 * then tags, then a tag in parentheses (`Game Boy Advance (GBA)`), then whole tokens.
 */
export function systemsForFolder(folder: string): string[] {
  const folded = normalizeName(folder);
  const t = tables();
  const direct = t.folderFolded.get(folded) ?? t.tagFolded.get(folded);
  if (direct) return [direct];
  const paren = /\(([^()]+)\)\s*$/u.exec(folder);
  if (paren?.[1]) {
    const inner = systemsForFolder(paren[1]);
    if (inner.length > 0) return inner;
  }
  return byTokens(folder, (tok) => [...folderLookup(tok), ...tagLookup(tok)]);
}

/** The system a ROM's extension names (`.gba` → gba), or null for containers and unknowns. */
export function systemForExtension(ext: string | null | undefined): string | null {
  return ext ? (tables().romExtension.get(ext.toLowerCase()) ?? null) : null;
}

/** True when the two systems are the same or one family (gb/gbc, ngp/ngpc, …). */
export function sameFamily(a: string, b: string): boolean {
  return a === b || (tables().family.get(a)?.includes(b) ?? false);
}

/** Candidates that a save of `size` bytes could belong to; systems with no known sizes stay. */
export function filterBySaveSize(candidates: readonly string[], size: number): string[] {
  const sizes = tables().saveSizes;
  return candidates.filter((s) => {
    const known = sizes.get(s);
    return known === undefined || known.includes(size);
  });
}

/** Every canonical system id the layout tables know, sorted. */
export function knownSystems(): string[] {
  return [...tables().systems].sort();
}
