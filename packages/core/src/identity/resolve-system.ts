/**
 * Deciding one system from the evidence a save's path gives: the folders' candidates, the ROM
 * extension inside a MinUI name, the ROMs a device has, and the save's size — in that order,
 * and never a guess.
 */
import type { RomHit } from './roms.js';
import { filterBySaveSize, sameFamily, systemForExtension } from './systems.js';
import { tables } from './tables.js';

/** How the system was decided. */
export type Evidence = 'folder' | 'name' | 'rom' | 'size';

export interface SystemEvidence {
  /** Systems the folders allow; null when the folders say nothing (flat layouts). */
  candidates: string[] | null;
  /** ROM extension inside the save's name (MinUI `Game.gba.sav`). */
  romExt: string | null;
  game: string;
  /** ROMs named like the game, when a device's files can be read. */
  findRoms?: () => RomHit[];
  /** The save's size in bytes, when known. */
  size: () => number | undefined;
}

export type SystemDecision =
  | { status: 'decided'; system: string; evidence: Evidence }
  | { status: 'ambiguous'; candidates: string[]; reason: string };

/** Keeps the systems allowed by the candidates (null: all), a family member counting as allowed. */
function allowed(systems: (string | null)[], candidates: string[] | null): string[] {
  const out = systems.filter((s): s is string => s !== null);
  return [...new Set(candidates === null ? out : out.filter((s) => candidates.some((c) => sameFamily(c, s))))];
}

export function resolveSystem(input: SystemEvidence): SystemDecision {
  // No system named by the folders at all: any system the name or a ROM shows will do.
  const ev = { ...input, candidates: input.candidates?.length === 0 ? null : input.candidates };
  const hint = systemForExtension(ev.romExt);
  const named = allowed([hint], ev.candidates);
  if (named.length === 1) return { status: 'decided', system: named[0] as string, evidence: 'name' };

  const only = ev.candidates?.length === 1 ? (ev.candidates[0] as string) : null;
  const hasFamily = only !== null && (tables().family.get(only)?.length ?? 1) > 1;
  if (only !== null && !hasFamily) return { status: 'decided', system: only, evidence: 'folder' };

  // Several candidates, none known, or a family (gb/gbc) where the ROM's own extension decides.
  const fromRoms = allowed((ev.findRoms?.() ?? []).map((r) => r.system), ev.candidates);
  if (fromRoms.length === 1) return { status: 'decided', system: fromRoms[0] as string, evidence: 'rom' };
  if (only !== null) return { status: 'decided', system: only, evidence: 'folder' };

  let candidates = fromRoms.length > 1 ? fromRoms : (ev.candidates ?? []);
  const size = ev.size();
  if (candidates.length > 1 && size !== undefined) {
    const fit = filterBySaveSize(candidates, size);
    if (fit.length === 1) return { status: 'decided', system: fit[0] as string, evidence: 'size' };
    if (fit.length > 0) candidates = fit;
  }
  if (candidates.length === 0) {
    return {
      status: 'ambiguous',
      candidates: [],
      reason: input.candidates === null
        ? `no system folder here and no ROM named "${ev.game}" found; add the ROM folder to the ROM roots`
        : `the folder names no known system and no ROM named "${ev.game}" was found`,
    };
  }
  return {
    status: 'ambiguous',
    candidates: [...candidates].sort(),
    reason: `this folder serves ${[...candidates].sort().join(', ')}; no ROM named "${ev.game}" tells which`,
  };
}
