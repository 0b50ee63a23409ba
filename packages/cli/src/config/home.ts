/** Where the client keeps its files: `RETROSYNC_HOME`, default `~/.retrosync`. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface HomePaths {
  home: string;
  config: string;
  state: string;
  log: string;
  backups: string;
}

export function homePaths(env: NodeJS.ProcessEnv = process.env): HomePaths {
  const home = resolve(env.RETROSYNC_HOME && env.RETROSYNC_HOME !== '' ? env.RETROSYNC_HOME : join(homedir(), '.retrosync'));
  return {
    home,
    config: join(home, 'config.json'),
    state: join(home, 'state.json'),
    log: join(home, 'retrosync.log'),
    backups: join(home, 'backups'),
  };
}
