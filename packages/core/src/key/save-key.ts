/**
 * Save keys: the device-independent identity of a save, `<system>/<game>/<kind>`.
 *
 *   system  canonical system id (`gba`, `snes`, …): lower-case letters, digits, `-`, `_`.
 *   game    the ROM's file name without extension(s), as written (display form).
 *   kind    `battery` | `rtc` | `state/<core>/<slot>` (slot: `0`…`999` or `auto`).
 *
 * This module is the one place that decides whether a key is well formed. The server, the
 * desktop client and the test vectors all go through it; the shell and Lua clients mirror it
 * and are checked against `vectors/save-keys.json`.
 */

export type SaveKind =
  | { type: 'battery' }
  | { type: 'rtc' }
  | { type: 'state'; core: string; slot: string };

export interface SaveKey {
  system: string;
  game: string;
  kind: SaveKind;
}

export class InvalidSaveKeyError extends Error {
  override readonly name = 'InvalidSaveKeyError';
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`invalid save key ${JSON.stringify(key)}: ${reason}`);
  }
}

/** Longest game / core segment, in UTF-8 bytes (file systems allow 255 per name; leave room for extensions). */
export const MAX_SEGMENT_BYTES = 200;
/** Longest whole key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 512;

const SYSTEM_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const SLOT_RE = /^(?:auto|[0-9]{1,3})$/;
// C0 and C1 controls, DEL, and characters no file system on a handheld or PC accepts.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_RE = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/;
/**
 * Invisible format characters: bidirectional overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) and marks (U+200E/F, U+061C), zero-width characters (U+200B–U+200D, U+2060–U+2064,
 * U+FEFF) and the soft hyphen. With them a name can display as something else
 * ("‮pcr.exe"), or two keys that look the same differ.
 */
const INVISIBLE_RE = /[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

function checkNameSegment(key: string, what: string, value: string): void {
  if (value.length === 0) throw new InvalidSaveKeyError(key, `${what} is empty`);
  if (value === '.' || value === '..') throw new InvalidSaveKeyError(key, `${what} may not be "${value}"`);
  if (FORBIDDEN_RE.test(value)) throw new InvalidSaveKeyError(key, `${what} contains a forbidden character`);
  if (INVISIBLE_RE.test(value)) throw new InvalidSaveKeyError(key, `${what} contains an invisible or text-direction character`);
  if (value !== value.trim()) throw new InvalidSaveKeyError(key, `${what} has leading or trailing spaces`);
  if (value.endsWith('.')) throw new InvalidSaveKeyError(key, `${what} ends with a dot`);
  if (Buffer.byteLength(value, 'utf8') > MAX_SEGMENT_BYTES) {
    throw new InvalidSaveKeyError(key, `${what} is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
}

/**
 * Parses and validates a key (after Unicode NFC normalisation, so a macOS-decomposed name is
 * accepted and stored composed); throws {@link InvalidSaveKeyError} with a reason a person can act on.
 */
export function parseSaveKey(input: string): SaveKey {
  if (typeof input !== 'string' || input.length === 0) throw new InvalidSaveKeyError(String(input), 'key is empty');
  const key = input.normalize('NFC');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new InvalidSaveKeyError(key, `key is longer than ${MAX_KEY_BYTES} bytes`);
  }
  const parts = key.split('/');
  const [system, game, kindType, ...rest] = parts;
  if (system === undefined || game === undefined || kindType === undefined) {
    throw new InvalidSaveKeyError(key, 'expected <system>/<game>/<kind>');
  }
  if (!SYSTEM_RE.test(system)) throw new InvalidSaveKeyError(key, 'system must be a lower-case id like "gba"');
  checkNameSegment(key, 'game', game);
  let kind: SaveKind;
  if (kindType === 'battery' || kindType === 'rtc') {
    if (rest.length > 0) throw new InvalidSaveKeyError(key, `kind "${kindType}" takes no further segments`);
    kind = { type: kindType };
  } else if (kindType === 'state') {
    const [core, slot, ...extra] = rest;
    if (core === undefined || slot === undefined || extra.length > 0) {
      throw new InvalidSaveKeyError(key, 'a state key is <system>/<game>/state/<core>/<slot>');
    }
    checkNameSegment(key, 'core', core);
    if (!SLOT_RE.test(slot)) throw new InvalidSaveKeyError(key, 'slot must be a number 0-999 or "auto"');
    kind = { type: 'state', core, slot };
  } else {
    throw new InvalidSaveKeyError(key, 'kind must be battery, rtc or state/<core>/<slot>');
  }
  return { system, game, kind };
}

export function isValidSaveKey(key: string): boolean {
  try {
    parseSaveKey(key);
    return true;
  } catch {
    return false;
  }
}

export function kindToString(kind: SaveKind): string {
  return kind.type === 'state' ? `state/${kind.core}/${kind.slot}` : kind.type;
}

/** Builds a key from its parts, validating the result. */
export function formatSaveKey(key: SaveKey): string {
  const text = `${key.system}/${key.game}/${kindToString(key.kind)}`;
  parseSaveKey(text);
  return text.normalize('NFC');
}

/** The canonical (NFC) display form of a valid key; throws {@link InvalidSaveKeyError} otherwise. */
export function canonicalSaveKey(key: string): string {
  return formatSaveKey(parseSaveKey(key));
}

/**
 * The form two names are compared in: Unicode NFC, case-folded, whitespace runs collapsed to
 * one space and trimmed. macOS's decomposed `Pokémon` and a handheld's composed one compare equal.
 */
export function normalizeName(name: string): string {
  return name.normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** The form a whole key is compared (and uniquely indexed) in. */
export function normalizeSaveKey(key: string): string {
  const parsed = parseSaveKey(key);
  const kind =
    parsed.kind.type === 'state'
      ? `state/${normalizeName(parsed.kind.core)}/${parsed.kind.slot}`
      : parsed.kind.type;
  return `${parsed.system}/${normalizeName(parsed.game)}/${kind}`;
}

/** Percent-encodes each segment for use in a URL path (`/api/sync/saves/<encoded key>`). */
export function encodeSaveKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Inverse of {@link encodeSaveKeyPath}; throws {@link InvalidSaveKeyError} on bad escapes. */
export function decodeSaveKeyPath(path: string): string {
  try {
    return path.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new InvalidSaveKeyError(path, 'bad percent-encoding');
  }
}
