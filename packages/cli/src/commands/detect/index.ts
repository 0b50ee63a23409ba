/**
 * `retrosync detect [--root DIR] [--platform ID] [--json]`
 * Prints the platform this machine (or the device under DIR) runs, its device type and the
 * folders to scan for saves, states and ROMs.
 */
import { underRoot } from '@retrosync/core';
import { EXIT, type Command } from '../../cli/command.js';
import { DEVICE_OPTIONS, openDevice } from '../../cli/device.js';
import { detectionReport, formatReport } from './report.js';

const usage = `usage: retrosync detect [--root DIR] [--platform ID] [--rom-root DIR]... [--json]

Prints the detected platform, device type and save / state / ROM roots.
  -r, --root DIR     detect the device whose / is DIR (a copy of its card, a test folder)
  -p, --platform ID  skip detection and read this platform's settings
      --json         print the result as JSON`;

export const command: Command = {
  name: 'detect',
  summary: 'print the platform, device type and save roots of this device',
  usage,
  options: DEVICE_OPTIONS,
  run(values, _positionals, io) {
    const device = openDevice(values, io);
    const report = detectionReport(device.detection, (p) => underRoot(device.root, p));
    io.out(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return EXIT.ok;
  },
};
