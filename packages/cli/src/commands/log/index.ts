/**
 * `retrosync log [-n N] [--server] [--json]`: the last lines of this device's retrosync.log, or
 * with --server the sync history the server keeps for this device.
 */
import { promises as fsp } from 'node:fs';
import { createApiClient, syncLogRoutes } from '@retrosync/api';
import { EXIT, UsageError, type Command } from '../../cli/command.js';
import { loadConfig } from '../../config/config.js';
import { homePaths } from '../../config/home.js';
import { explain } from '../../session/errors.js';
import { deviceNow } from '../../time/device-clock.js';

export const command: Command = {
  name: 'log',
  summary: 'show the recent sync log of this device (--server: as the server recorded it)',
  usage: 'usage: retrosync log [-n LINES] [--server] [--json]',
  options: { lines: { type: 'string', short: 'n' }, server: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(values, _pos, io) {
    const n = values.lines === undefined ? 50 : Number(values.lines);
    if (!Number.isInteger(n) || n < 1) throw new UsageError('-n takes a positive number of lines');
    const paths = homePaths(io.env as NodeJS.ProcessEnv);
    if (values.server) {
      let url: string | undefined;
      try {
        const config = await loadConfig(paths.config);
        url = config.server;
        const api = createApiClient({ baseUrl: config.server, apiKey: config.apiKey, credentials: 'omit' });
        const data = await api.call(syncLogRoutes.list, { query: { limit: Math.min(n, 100) }, headers: { 'x-client-time': String(deviceNow()) } });
        if (values.json) io.out(JSON.stringify(data.logs, null, 2));
        else if (data.logs.length === 0) io.out('The server has no sync history for this device yet.');
        else for (const l of [...data.logs].reverse()) io.out(`${l.createdAt} ${l.action.padEnd(8)} ${l.status.padEnd(7)} ${l.filePath}${l.fileSize !== null ? ` (${l.fileSize} B)` : ''}${l.errorMsg ? ` — ${l.errorMsg}` : ''}`);
        return EXIT.ok;
      } catch (err) {
        const e = explain(err, url);
        io.err(`retrosync log: ${e.message}`);
        return e.code;
      }
    }
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
