/** `retrosync daemon`: keeps syncing in the foreground until interrupted (Ctrl-C / SIGTERM). */
import { EXIT, UsageError, type Command } from '../../cli/command.js';
import { loadConfig } from '../../config/config.js';
import { Daemon } from '../../daemon/daemon.js';
import { explain } from '../../session/errors.js';
import { acquireLock, type Lock } from '../../session/lock.js';
import { openSession } from '../../session/open.js';
import { ROM_ROOT_OPTION, romRootsOption } from '../../cli/device.js';

export const command: Command = {
  name: 'daemon',
  summary: 'watch the save folders and keep syncing (foreground)',
  usage: `usage: retrosync daemon [--poll] [--json] [--debounce MS] [--rom-root DIR]...

Watches the save folders (2 s after a file stops changing it is uploaded), listens for changes
from other devices, rescans periodically and sends a heartbeat every minute. Stop with Ctrl-C.
  --poll          poll the folders instead of using file-system events (network shares, odd mounts)
  --json          print one JSON object per event on stdout (noticed, pass, ready)
  --debounce MS   wait this long after the last change of a file (default 2000)`,
  options: { poll: { type: 'boolean' }, json: { type: 'boolean' }, debounce: { type: 'string' }, ...ROM_ROOT_OPTION },
  async run(values, _pos, io) {
    const debounceMs = values.debounce === undefined ? 2000 : Number(values.debounce);
    if (!Number.isFinite(debounceMs) || debounceMs < 0) throw new UsageError('--debounce takes milliseconds');
    const json = values.json === true;
    let session;
    let lock: Lock;
    try {
      session = await openSession({ env: io.env as NodeJS.ProcessEnv, romRoots: romRootsOption(values, io), echo: (level, m) => (level === 'debug' && !io.env.RETROSYNC_DEBUG ? undefined : io.err(m)) });
      lock = await acquireLock(session.paths.home);
    } catch (err) {
      io.err(`retrosync daemon: ${explain(err).message}`);
      return EXIT.failure;
    }
    const { config, deps, log } = session;
    const emit = json ? (e: Record<string, unknown>) => io.out(JSON.stringify(e)) : undefined;
    if (json) deps.hooks = { applied: (key, path, version) => emit?.({ event: 'applied', key, path, version, t: Date.now() }), uploaded: (key, path, outcome) => emit?.({ event: 'uploaded', key, path, outcome, t: Date.now() }) };
    // A changed local sync filter (retrosync filter --local) applies at the next pass, without a restart.
    const beforePass = async () => {
      try {
        deps.localFilter = (await loadConfig(session.paths.config)).filter ?? null;
      } catch (err) {
        log.warn(`config.json: ${explain(err).message}; keeping the sync filter it had`);
      }
    };
    const daemon = new Daemon({ deps, server: config.server, apiKey: () => session.apiKey(), rotateKey: () => session.rotateKey(), log, debounceMs, rescanMs: config.rescanSeconds * 1000, poll: values.poll === true, beforePass, ...(emit ? { emit } : {}) });
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        log.info('daemon stopping');
        void daemon.stop().then(() => lock.release()).then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    log.info(`daemon started: "${config.deviceName}" (${config.platform}) ↔ ${config.server}`);
    await daemon.start();
    await stopped;
    return EXIT.ok;
  },
};
