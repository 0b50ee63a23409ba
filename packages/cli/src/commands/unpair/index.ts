/** `retrosync unpair`: forgets the server, key and sync state (backups and the log stay). */
import { promises as fsp } from 'node:fs';
import { EXIT, type Command } from '../../cli/command.js';
import { loadConfig } from '../../config/config.js';
import { homePaths } from '../../config/home.js';
import { explain } from '../../session/errors.js';

export const command: Command = {
  name: 'unpair',
  summary: 'forget the server and this device\'s key (backups and log are kept)',
  usage: 'usage: retrosync unpair\n\nRemoves config.json and the sync state. To revoke the key on the server too, remove the device in the dashboard.',
  options: {},
  async run(_values, _pos, io) {
    const paths = homePaths(io.env as NodeJS.ProcessEnv);
    let server: string;
    try {
      server = (await loadConfig(paths.config)).server;
    } catch (err) {
      io.err(`retrosync unpair: ${explain(err).message}`);
      return EXIT.failure;
    }
    await fsp.rm(paths.config, { force: true });
    await fsp.rm(paths.state, { force: true });
    io.out(`Unpaired from ${server}. Saves on disk and ${paths.backups} are untouched; remove the device in the dashboard to revoke its key.`);
    return EXIT.ok;
  },
};
