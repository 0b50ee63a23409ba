/**
 * The shared save-identity vectors (packages/core/vectors/*.json) run against the shell client:
 * `identity.sh` under busybox sh, on a temp folder standing for the device's "/". Desktop
 * platforms (device types windows/mac/linux) belong to the Node client and are not run here;
 * the test asserts how many vectors did run so a silently empty filter fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runSh, tempRoot, writeTree } from './busybox-env.js';

const vectors = (name: string) => JSON.parse(readFileSync(join(REPO, 'packages/core/vectors', name), 'utf8'));
const layouts = JSON.parse(readFileSync(join(REPO, 'packages/core/layouts/handheld-layouts.json'), 'utf8'));
const HANDHELD = new Set<string>(
  layouts.platforms.filter((p: any) => !['windows', 'mac', 'linux'].includes(p.sync.device_type)).map((p: any) => p.id),
);

interface Common { platform: string; roms?: string[]; files?: Record<string, string>; vars?: Record<string, string>; cores?: Record<string, string>; rom_roots?: string[]; settings?: Record<string, string>; nextui_save_format?: string; nextui_state_format?: string }

function setup(v: Common) {
  const root = tempRoot('rs-vec-');
  writeTree(root, { ...Object.fromEntries((v.roms ?? []).map((r) => [r, 'rom'])), ...(v.files ?? {}) });
  const args = ['--platform', v.platform, '--root', root];
  for (const [k, val] of Object.entries(v.vars ?? {})) args.push('--var', `${k}=${val}`);
  for (const [k, val] of Object.entries(v.cores ?? {})) args.push('--core', `${k}=${val}`);
  for (const r of v.rom_roots ?? []) args.push('--rom-root', r);
  if (v.nextui_save_format || v.nextui_state_format) {
    writeTree(root, {
      '/mnt/SDCARD/.userdata/shared/minuisettings.txt': `saveFormat=${v.nextui_save_format ?? 0}\nstateFormat=${v.nextui_state_format ?? 0}\n`,
    });
  }
  expect(v.settings, 'retroarch.cfg settings are only in desktop vectors').toBeUndefined();
  return { root, args };
}

const fields = (line: string) => line.split('\t');
const fold = (s: string) => s.normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').trim();
/** The comparison form of a key (the server matches saves by it): game and core folded. */
const normKey = (k: string) => k.split('/').map((seg, i) => (i === 1 || i === 3 ? fold(seg) : seg)).join('/');

/** Collects every mismatch so one run shows all of them. */
function collector() {
  const bad: string[] = [];
  const check = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) bad.push(`${what}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);
  };
  return { bad, check };
}

describe('save-keys.json under busybox sh', () => {
  const v = vectors('save-keys.json');
  const enc = (k: string) => k.split('/').map(encodeURIComponent).join('/');
  it('accepts the valid keys, refuses the invalid ones, and normalizes like core', () => {
    const keys = [...v.valid, ...v.invalid, ...v.normalized.map((p: string[]) => p[0])];
    const r = runSh('identity.sh', ['key', ...keys.map(enc)]);
    expect(r.stderr).toBe('');
    const out = r.stdout.trimEnd().split('\n').map(fields);
    expect(out).toHaveLength(keys.length);
    v.valid.forEach((k: string, i: number) => {
      expect(out[i]?.[0], k).toBe('valid');
      expect(decodeURIComponent(out[i]?.[1] ?? ''), k).toBe(k.normalize('NFC'));
    });
    v.invalid.forEach((k: string, i: number) => expect(out[v.valid.length + i]?.[0], JSON.stringify(k)).toBe('invalid'));
    v.normalized.forEach((p: string[], i: number) => {
      const row = out[v.valid.length + v.invalid.length + i];
      expect(row?.[0]).toBe('valid');
      expect(row?.[2], p[0]).toBe(p[1]);
    });
  });
});

describe('identity.json under busybox sh', () => {
  const v = vectors('identity.json');

  const identify = v.identify.filter((x: Common) => HANDHELD.has(x.platform));
  it(`identify: ${identify.length} handheld vectors`, () => {
    expect(identify.length).toBeGreaterThan(60);
    const { bad, check } = collector();
    for (const x of identify) {
      const { root, args } = setup(x);
      if (x.size !== undefined) args.push('--size', String(x.size));
      const r = runSh('identity.sh', ['identify', ...args, x.path]);
      const what = `${x.platform} ${x.path} ${x.note ?? ''}`;
      check(what, r.stderr, '');
      const [status, second, , , compressed, autoLoad, host] = fields(r.stdout.trimEnd());
      check(what, host, root + x.path);
      if (x.key !== null) {
        check(what, [status, decodeURIComponent(second ?? '')], ['save', x.key]);
        if (x.compressed !== undefined) check(what, compressed === '1', x.compressed);
        if (x.auto_load !== undefined) check(what, autoLoad === '1', x.auto_load);
      } else if (x.ignored) {
        check(what, [status, second], ['ignored', x.ignored]);
      } else if (x.ambiguous) {
        check(what, [status, second], ['ambiguous', x.ambiguous.join(',')]);
      } else {
        check(what, status, 'unsupported');
      }
    }
    expect(bad).toEqual([]);
  }, 240_000);

  const place = v.place.filter((x: Common) => HANDHELD.has(x.platform));
  it(`place: ${place.length} handheld vectors`, () => {
    expect(place.length).toBeGreaterThan(30);
    const { bad, check } = collector();
    for (const x of place) {
      const { root, args } = setup(x);
      const r = runSh('identity.sh', ['place', ...args, x.key]);
      const what = `${x.platform} ${x.key} ${x.note ?? ''}`;
      check(what, r.stderr, '');
      const [status, , third, compress] = fields(r.stdout.trimEnd());
      if (x.path === null) {
        check(what, [status, third], ['err', x.error]);
      } else {
        const devicePath = x.root ? x.path.slice(x.root.length) : x.path;
        check(what, [status, third], ['ok', root + devicePath]);
        if (x.compress !== undefined) check(what, compress === '1', x.compress);
        // Identifying the placed path gives the key back (or, in a multi-system folder with no
        // ROM, "ambiguous" with the key's system among the candidates, or none named in a flat
        // folder — never another key).
        if (status === 'ok') {
          const back = runSh('identity.sh', ['identify', ...args, devicePath]);
          const [bs, bk] = fields(back.stdout.trimEnd());
          const system = x.key.split('/')[0];
          const ok = (bs === 'save' && normKey(decodeURIComponent(bk ?? '')) === normKey(x.key)) || (bs === 'ambiguous' && ((bk ?? '') === '' || (bk ?? '').split(',').includes(system)));
          check(`${what} round trip`, ok ? 'ok' : `${bs} ${bk}`, 'ok');
        }
      }
    }
    expect(bad).toEqual([]);
  }, 240_000);

  const detect = v.detect.filter((x: { platform: string | null }) => x.platform === null || HANDHELD.has(x.platform));
  it(`detect: ${detect.length} handheld vectors`, () => {
    expect(detect.length).toBeGreaterThan(15);
    const { bad, check } = collector();
    for (const x of detect) {
      const root = tempRoot('rs-det-');
      writeTree(root, x.files);
      const r = runSh('identity.sh', ['detect', '--root', root]);
      const what = `${JSON.stringify(x.files)} ${x.note ?? ''}`;
      const rows = r.stdout.trimEnd().split('\n').map(fields);
      const get = (k: string) => rows.filter((row) => row[0] === k).map((row) => row[1] ?? '');
      if (x.platform === null) {
        check(what, r.status, 1);
        continue;
      }
      check(`${what} ${r.stderr}`, r.status, 0);
      if (r.status !== 0) continue;
      check(what, get('platform'), [x.platform]);
      if (x.device_type) check(what, get('device_type'), [x.device_type]);
      if (x.save_roots) check(what, get('saves'), x.save_roots);
      if (x.state_roots) check(`${what} states`, get('states'), x.state_roots);
      if (x.save_folders) check(what, get('save_folders'), [x.save_folders.join(',')]);
    }
    expect(bad).toEqual([]);
  }, 240_000);
});
