import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  canonicalSaveKey,
  decodeSaveKeyPath,
  encodeSaveKeyPath,
  InvalidSaveKeyError,
  MAX_SEGMENT_BYTES,
  normalizeSaveKey,
  parseSaveKey,
} from './save-key.js';

const vectors = JSON.parse(
  readFileSync(new URL('../../vectors/save-keys.json', import.meta.url), 'utf8'),
) as { valid: string[]; invalid: string[]; normalized: [string, string][] };

describe('save keys (shared vectors)', () => {
  test.each(vectors.valid)('accepts %j', (key) => {
    expect(canonicalSaveKey(key)).toBe(key.normalize('NFC'));
  });
  test.each(vectors.invalid)('refuses %j', (key) => {
    expect(() => parseSaveKey(key)).toThrow(InvalidSaveKeyError);
  });
  test.each(vectors.normalized)('normalises %j to %j', (key, expected) => {
    expect(normalizeSaveKey(key)).toBe(expected);
  });
});

describe('save keys', () => {
  test('parses the parts of a state key', () => {
    expect(parseSaveKey('gba/Zelda/state/mGBA/2')).toEqual({
      system: 'gba',
      game: 'Zelda',
      kind: { type: 'state', core: 'mGBA', slot: '2' },
    });
  });
  test('refuses over-long names', () => {
    expect(() => parseSaveKey(`gba/${'x'.repeat(MAX_SEGMENT_BYTES + 1)}/battery`)).toThrow(/longer than/);
  });
  test('a decomposed name is stored composed', () => {
    expect(canonicalSaveKey('gba/Poke\u0301mon/battery')).toBe('gba/Pokémon/battery');
  });
  test('URL path encoding round-trips and escapes slashes inside names', () => {
    const key = 'gba/Pokémon #1 50%/battery';
    const path = encodeSaveKeyPath(key);
    expect(path).toBe('gba/Pok%C3%A9mon%20%231%2050%25/battery');
    expect(decodeSaveKeyPath(path)).toBe(key);
    expect(() => decodeSaveKeyPath('gba/%E0%A4%A/battery')).toThrow(InvalidSaveKeyError);
  });
});
