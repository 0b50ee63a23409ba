import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { normalizeSaveKey, parseSaveKey } from '../key/save-key.js';
import { detectPlatform } from './detect.js';
import { memoryFs, type MemoryFile } from './fs.js';
import { identifyPath } from './identify.js';
import { placeKey, PlacementError } from './place.js';
import { listPlatforms } from './platforms.js';
import { resolveProfile, type ProfileOptions } from './profile.js';
import { parseRetroArchCfg } from './retroarch-cfg.js';

interface Common {
  platform: string;
  vars?: Record<string, string>;
  settings?: Record<string, string>;
  roms?: string[];
  /** Other files on the device with their text (RetroArch playlists). */
  files?: Record<string, string>;
  rom_roots?: string[];
  cores?: Record<string, string>;
  nextui_save_format?: string;
  nextui_state_format?: string;
  note?: string;
}
interface IdentifyCase extends Common {
  path: string;
  size?: number;
  key: string | null;
  ignored?: string;
  ambiguous?: string[];
  unsupported?: boolean;
  auto_load?: boolean;
  compressed?: boolean;
}
interface PlaceCase extends Common {
  key: string;
  root?: string;
  path: string | null;
  error?: string;
  compress?: boolean;
}
interface DetectCase {
  files: Record<string, MemoryFile>;
  vars?: Record<string, string>;
  platform: string | null;
  device_type?: string;
  save_roots?: string[];
  state_roots?: string[];
  save_folders?: string[];
}
interface Vectors {
  vars: Record<string, string>;
  identify: IdentifyCase[];
  place: PlaceCase[];
  detect: DetectCase[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../../vectors/identity.json', import.meta.url), 'utf8'),
) as Vectors;

/** The device's files a vector names: ROMs (empty) and other files with their text. */
function deviceFs(c: Common) {
  return memoryFs({ ...Object.fromEntries((c.roms ?? []).map((r) => [r, ''])), ...(c.files ?? {}) });
}

/** The settings a vector gives, as the options a client would resolve the platform with. */
function options(c: Common): ProfileOptions {
  const cfg = Object.entries(c.settings ?? {})
    .map(([k, v]) => `${k} = "${v}"`)
    .join('\n');
  const nextui: { saveFormat?: string; stateFormat?: string } = {};
  if (c.nextui_save_format) nextui.saveFormat = c.nextui_save_format;
  if (c.nextui_state_format) nextui.stateFormat = c.nextui_state_format;
  return {
    vars: { ...vectors.vars, ...c.vars },
    retroarch: parseRetroArchCfg(cfg),
    nextui,
    ...(c.rom_roots ? { extraRomRoots: c.rom_roots } : {}),
    ...(c.cores ? { cores: c.cores } : {}),
  };
}

const label = (c: { platform: string | null; note?: string }, what: string) =>
  `${c.platform ?? 'none'}: ${what}${c.note ? ` (${c.note})` : ''}`;

describe('identify vectors', () => {
  test.each(vectors.identify.map((c) => [label(c, c.path), c] as const))('%s', (_name, c) => {
    const profile = resolveProfile(c.platform, options(c));
    const ctx = {
      ...(c.roms || c.files ? { fs: deviceFs(c) } : {}),
      ...(c.size !== undefined ? { size: c.size } : {}),
    };
    const got = identifyPath(profile, c.path, ctx);
    if (c.key !== null) {
      expect(got).toMatchObject({ status: 'save', key: c.key });
      if (c.auto_load !== undefined) expect(got).toMatchObject({ autoLoad: c.auto_load });
      if (c.compressed !== undefined) expect(got).toMatchObject({ compressed: c.compressed });
    } else if (c.ignored !== undefined) {
      expect(got).toMatchObject({ status: 'ignored', reason: c.ignored });
    } else if (c.ambiguous !== undefined) {
      expect(got).toMatchObject({ status: 'ambiguous', candidates: c.ambiguous });
    } else {
      expect(c.unsupported).toBe(true);
      expect(got.status).toBe('unsupported');
    }
  });

  test('cover every platform of the data', () => {
    const covered = new Set(vectors.identify.filter((c) => c.key !== null).map((c) => c.platform));
    expect([...covered].sort()).toEqual(listPlatforms().map((p) => p.id).sort());
  });
});

describe('place vectors', () => {
  test.each(vectors.place.map((c) => [label(c, c.key), c] as const))('%s', (_name, c) => {
    const profile = resolveProfile(c.platform, options(c));
    const opts = {
      ...(c.roms || c.files ? { fs: deviceFs(c) } : {}),
      ...(c.root !== undefined ? { root: c.root } : {}),
    };
    if (c.path === null) {
      expect(() => placeKey(profile, c.key, opts)).toThrow(PlacementError);
      try {
        placeKey(profile, c.key, opts);
      } catch (err) {
        expect((err as PlacementError).code).toBe(c.error);
      }
      return;
    }
    const got = placeKey(profile, c.key, opts);
    expect(got.path).toBe(c.path);
    if (c.compress !== undefined) expect(got.compress).toBe(c.compress);
    // What was placed is identified as the same key there, or (multi-system folder, no ROM)
    // as ambiguous with the key's system among the candidates (or none named) — never as another key.
    const back = identifyPath(profile, got.devicePath, opts.fs ? { fs: opts.fs } : {});
    if (back.status === 'ambiguous') {
      // [] means the folder names no system at all (flat desktop folders without ROMs).
      if (back.candidates.length > 0) expect(back.candidates).toContain(parseSaveKey(c.key).system);
    }
    else expect(back.status === 'save' && normalizeSaveKey(back.key)).toBe(normalizeSaveKey(c.key));
  });

  test('cover every platform of the data', () => {
    expect([...new Set(vectors.place.map((c) => c.platform))].sort()).toEqual(listPlatforms().map((p) => p.id).sort());
  });
});

describe('detect vectors', () => {
  test.each(vectors.detect.map((c) => [label(c, Object.keys(c.files).join(', ') || 'empty'), c] as const))(
    '%s',
    (_name, c) => {
      const got = detectPlatform(memoryFs(c.files), { vars: { ...vectors.vars, ...c.vars } });
      if (c.platform === null) {
        expect(got).toBeNull();
        return;
      }
      expect(got?.platform).toBe(c.platform);
      if (c.device_type) expect(got?.deviceType).toBe(c.device_type);
      if (c.save_roots) expect(got?.saveRoots).toEqual(c.save_roots);
      if (c.state_roots) expect(got?.stateRoots).toEqual(c.state_roots);
      if (c.save_folders) expect(got?.profile.saves[0]?.folders).toEqual(c.save_folders);
    },
  );

  test('cover every platform of the data', () => {
    const covered = new Set(vectors.detect.map((c) => c.platform).filter((p) => p !== null));
    expect([...covered].sort()).toEqual(listPlatforms().map((p) => p.id).sort());
  });
});
