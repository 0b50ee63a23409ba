/**
 * `retrosync identify --platform <id> [--root DIR] [--json] <path>…`
 * One line per path: `<save key>` TAB `<path>`, `-` for a path that is not a save. Paths whose
 * system cannot be told apart (or whose name no file system could share) get `-` and a note on
 * stderr saying why.
 */
import { identifyPath, RomIndex, type Identification } from '@retrosync/core';
import { EXIT, UsageError, type Command } from '../../cli/command.js';
import { DEVICE_OPTIONS, openDevice, toDevicePath } from '../../cli/device.js';

const usage = `usage: retrosync identify [--platform ID] [--root DIR] [--rom-root DIR]... [--json] PATH...

Prints "<save key>\\t<path>" for each PATH ("-" when it is not a save).
  -p, --platform ID  platform the paths come from (default: detected)
  -r, --root DIR     read the device's files under DIR as if DIR were /
      --rom-root DIR where your ROMs are (repeatable): tells the system of saves in flat or
                     multi-system folders (added to rom roots in config.json)
      --json         print the full result of each path as JSON`;

function note(id: Identification): string | null {
  if (id.status === 'ambiguous') {
    return `${id.path}: ambiguous${id.candidates.length ? ` (${id.candidates.join(', ')})` : ''}: ${id.reason}`;
  }
  return id.status === 'unsupported' ? `${id.path}: not synced: ${id.reason}` : null;
}

export const command: Command = {
  name: 'identify',
  summary: 'print the save key of each path (- when it is not a save)',
  usage,
  options: DEVICE_OPTIONS,
  run(values, paths, io) {
    if (paths.length === 0) throw new UsageError('name at least one path');
    const device = openDevice(values, io);
    const { profile } = device.detection;
    const roms = RomIndex.forProfile(device.fs, profile);
    const results = paths.map((given) => {
      const id = identifyPath(profile, toDevicePath(device, given, io), { fs: device.fs, roms });
      return { given, id };
    });
    if (values.json) {
      io.out(JSON.stringify(results.map(({ given, id }) => ({ ...id, path: given, devicePath: id.path })), null, 2));
      return EXIT.ok;
    }
    for (const { given, id } of results) {
      io.out(`${id.status === 'save' ? id.key : '-'}\t${given}`);
      const why = note(id);
      if (why) io.err(`retrosync identify: ${why}`);
    }
    return EXIT.ok;
  },
};
