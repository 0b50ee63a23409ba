/**
 * `retrosync place --platform <id> [--root DIR] [--json] <key>…`
 * Prints where the platform keeps each save key (under DIR with --root), one per line.
 */
import { placeKey, PlacementError, RomIndex } from '@retrosync/core';
import { EXIT, UsageError, type Command } from '../../cli/command.js';
import { DEVICE_OPTIONS, openDevice } from '../../cli/device.js';

const usage = `usage: retrosync place [--platform ID] [--root DIR] [--rom-root DIR]... [--json] KEY...

Prints the path where the platform keeps each save KEY (<system>/<game>/<kind>).
  -p, --platform ID  platform to place on (default: detected)
  -r, --root DIR     the device's / is DIR: read its ROMs and settings there, print paths under it
      --json         print path, device path, compression and ROM as JSON`;

export const command: Command = {
  name: 'place',
  summary: 'print where a platform keeps a save key',
  usage,
  options: DEVICE_OPTIONS,
  run(values, keys, io) {
    if (keys.length === 0) throw new UsageError('name at least one save key');
    const device = openDevice(values, io);
    const { profile } = device.detection;
    const roms = RomIndex.forProfile(device.fs, profile);
    const opts = { fs: device.fs, roms, ...(device.root !== undefined ? { root: device.root } : {}) };
    let code: number = EXIT.ok;
    const results: unknown[] = [];
    for (const key of keys) {
      try {
        const placed = placeKey(profile, key, opts);
        results.push({ key, ...placed });
        if (!values.json) io.out(placed.path);
      } catch (err) {
        if (!(err instanceof PlacementError)) throw err;
        results.push({ key, error: err.code, message: err.message });
        io.err(`retrosync place: cannot place ${JSON.stringify(key)}: ${err.message}`);
        code = EXIT.failure;
      }
    }
    if (values.json) io.out(JSON.stringify(results, null, 2));
    return code;
  },
};
