/** `retrosync log [-n N] [--json]`: the last lines of retrosync.log. */
import { promises as fsp } from 'node:fs';
import { EXIT, UsageError, type Command } from '../../cli/command.js';
import { homePaths } from '../../config/home.js';

export const command: Command = {
  name: 'log',
  summary: 'show the recent sync log of this device',
  usage: 'usage: retrosync log [-n LINES] [--json]',
  options: { lines: { type: 'string', short: 'n' }, json: { type: 'boolean' } },
  async run(values, _pos, io) {
    const n = values.lines === undefined ? 50 : Number(values.lines);
    if (!Number.isInteger(n) || n < 1) throw new UsageError('-n takes a positive number of lines');
    const paths = homePaths(io.env as NodeJS.ProcessEnv);
    let text = '';
    for (const file of [`${paths.log}.1`, paths.log]) text += await fsp.readFile(file, 'utf8').catch(() => '');
    const lines = text.split('\n').filter((l) => l !== '').slice(-n);
    if (values.json) {
      io.out(JSON.stringify(lines.map((l) => {
        const m = /^(\S+) (\S+) (.*)$/.exec(l);
        return m ? { at: m[1], level: (m[2] as string).toLowerCase(), message: m[3] } : { message: l };
      }), null, 2));
    } else if (lines.length === 0) io.out(`Nothing logged yet (${paths.log}).`);
    else for (const l of lines) io.out(l);
    return EXIT.ok;
  },
};
