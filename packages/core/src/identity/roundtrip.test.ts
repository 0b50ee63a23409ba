/**
 * The round-trip property of the issue: for every platform pair (A, B), the key identified on
 * A, placed on B, is identified on B as the same key. Devices have the game's ROM in their ROM
 * folder (as they do when a game is played on them); desktop setups get a configured ROM root.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { normalizeSaveKey, parseSaveKey } from '../key/save-key.js';
import { memoryFs, type FileSystem } from './fs.js';
import { identifyPath } from './identify.js';
import { placeKey, PlacementError } from './place.js';
import { listPlatforms } from './platforms.js';
import { resolveProfile, type Profile } from './profile.js';
import { tables } from './tables.js';

const PLATFORMS = listPlatforms().map((p) => p.id);
const SYSTEMS = ['gb', 'gbc', 'gba', 'nes', 'snes', 'genesis', 'sms', 'gamegear', 'ps1', 'pce', 'ngpc'];

function profileOf(id: string): Profile {
  const p = resolveProfile(id);
  return p.romRoots.length > 0 ? p : resolveProfile(id, { romRoots: ['/home/user/ROMs'] });
}
const PROFILES = new Map(PLATFORMS.map((id) => [id, profileOf(id)]));

function romExtension(system: string): string {
  for (const [ext, s] of tables().romExtension) if (s === system) return ext;
  throw new Error(`no extension for ${system}`);
}

/** A device that has the game's ROM in its folder for the system. */
function deviceWithRom(profile: Profile, system: string, game: string): FileSystem {
  const root = profile.romRoots[0] as string;
  return memoryFs([`${root}/${profile.systemFolders[system]}/${game}${romExtension(system)}`]);
}

/** Identify on A → place on B → identify on B. Returns null when B cannot hold it (a state of another core). */
function roundTrip(a: string, b: string, key: string): { onA: string; onB: string } | null {
  const pa = PROFILES.get(a) as Profile;
  const pb = PROFILES.get(b) as Profile;
  const { system, game } = parseSaveKey(key);
  const fsA = deviceWithRom(pa, system, game);
  const fsB = deviceWithRom(pb, system, game);
  const idA = identifyPath(pa, placeKey(pa, key, { fs: fsA }).devicePath, { fs: fsA });
  if (idA.status !== 'save') throw new Error(`${a}: ${key} not identified back: ${JSON.stringify(idA)}`);
  let placed;
  try {
    placed = placeKey(pb, idA.key, { fs: fsB });
  } catch (err) {
    if (err instanceof PlacementError && (err.code === 'core-mismatch' || err.code === 'slot-unsupported')) return null;
    throw err;
  }
  const idB = identifyPath(pb, placed.devicePath, { fs: fsB });
  if (idB.status !== 'save') throw new Error(`${b}: ${idA.key} at ${placed.devicePath}: ${JSON.stringify(idB)}`);
  return { onA: normalizeSaveKey(idA.key), onB: normalizeSaveKey(idB.key) };
}

/** State keys as each platform names them: its own core for the system. */
function stateKey(platform: string, system: string, game: string, slot: string): string {
  const p = PROFILES.get(platform) as Profile;
  const core = p.stateCorePrefix ? `${p.stateCorePrefix}${romCoreFile(system)}` : (p.cores[system] as string);
  return `${system}/${game}/state/${core}/${slot}`;
}
const romCoreFile = (system: string) => ({ gba: 'gpsp', gb: 'gambatte', gbc: 'gambatte' })[system] ?? 'picodrive';

describe('round trip between every pair of platforms', () => {
  test.each(PLATFORMS)('from %s to every platform: battery and rtc always, states where the core matches', (a) => {
    for (const b of PLATFORMS) {
      for (const system of SYSTEMS) {
        for (const key of [`${system}/Pokémon Test (USA, Europe) (Rev 1)/battery`, `${system}/Test Game/rtc`]) {
          const r = roundTrip(a, b, key);
          expect(r, `${a} -> ${b}: ${key}`).not.toBeNull();
          expect(r?.onB, `${a} -> ${b}: ${key}`).toBe(r?.onA);
        }
        const state = roundTrip(a, b, stateKey(a, system, 'Test Game', 'auto'));
        if (state) expect(state.onB).toBe(state.onA);
      }
    }
  });

  // Names a ROM set really has: letters, digits, punctuation, accents, kana, dots inside.
  const glyph = fc.constantFrom(...'abcXYZ0129 -_&\'!,()[]+.#%éüßポケモン'.split(''));
  const game = fc
    .array(glyph, { minLength: 1, maxLength: 40 })
    .map((cs) => cs.join('').trim())
    .filter((g) => g !== '' && !g.endsWith('.') && !g.startsWith('.') && !/^(con|prn|aux|nul)(\.|$)/i.test(g));

  test('for generated game names, kinds and slots', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PLATFORMS),
        fc.constantFrom(...PLATFORMS),
        fc.constantFrom(...SYSTEMS),
        game,
        fc.constantFrom('battery', 'rtc', 'state'),
        fc.constantFrom('0', '1', '5', 'auto'),
        (a, b, system, g, kind, slot) => {
          const key = kind === 'state' ? stateKey(a, system, g, slot) : `${system}/${g}/${kind}`;
          const r = roundTrip(a, b, key);
          if (kind !== 'state') expect(r).not.toBeNull();
          if (r) expect(r.onB).toBe(r.onA);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('without the ROM, placement never leads to another key', () => {
  test.each(PLATFORMS)('%s', (id) => {
    const profile = PROFILES.get(id) as Profile;
    for (const system of SYSTEMS) {
      const key = `${system}/Some Game (USA)/battery`;
      const got = identifyPath(profile, placeKey(profile, key).devicePath);
      if (got.status === 'save') expect(got.key).toBe(key);
      else {
        expect(got.status).toBe('ambiguous');
        if (got.status === 'ambiguous' && got.candidates.length > 0) expect(got.candidates).toContain(system);
      }
    }
  });
});
