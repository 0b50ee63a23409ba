/**
 * `retrosync restore <key> --version N`: makes version N the head again (as a new version, so
 * nothing is lost) and writes it here. A device may not call the dashboard's restore endpoint,
 * so the client downloads version N and uploads it on the current head.
 */
import { EXIT, UsageError, type Command } from '../../cli/command.js';
import { syncPass } from '../../engine/engine.js';
import { sha256Hex } from '../../engine/scan.js';
import { explain } from '../../session/errors.js';
import { acquireLock, LockedError } from '../../session/lock.js';
import { openSession } from '../../session/open.js';
import { ROM_ROOT_OPTION, romRootsOption } from '../../cli/device.js';
import { deviceNow } from '../../time/device-clock.js';

export const command: Command = {
  name: 'restore',
  summary: 'make an older version of a save current again, everywhere',
  usage: 'usage: retrosync restore KEY --version N [--json] [--rom-root DIR]...\n\nSee the versions with retrosync history KEY.',
  options: { version: { type: 'string' }, json: { type: 'boolean' }, ...ROM_ROOT_OPTION },
  async run(values, pos, io) {
    const key = pos[0];
    const version = Number(values.version);
    if (!key) throw new UsageError('name the save key');
    if (!Number.isInteger(version) || version < 1) throw new UsageError('--version N is required (see retrosync history KEY)');
    let server: string | undefined;
    try {
      const { deps, config, paths } = await openSession({ env: io.env as NodeJS.ProcessEnv, romRoots: romRootsOption(values, io), echo: (l, m) => (l === 'debug' ? undefined : io.err(m)) });
      server = config.server;
      const old = await deps.remote.download(key, version);
      const { head } = await deps.remote.versions(key);
      const reply = await deps.remote.upload(key, old.bytes, { sha256: sha256Hex(old.bytes), baseVersion: head, fileMtimeMs: deviceNow() });
      // Write it here too — unless the daemon runs: it gets the change pushed and writes it.
      let writtenHere = false;
      let daemonPid: number | null = null;
      try {
        const lock = await acquireLock(paths.home);
        const pass = await syncPass(deps, { remoteOnly: true }).finally(() => lock.release());
        writtenHere = pass.downloaded.includes(key);
      } catch (err) {
        if (!(err instanceof LockedError)) throw err;
        daemonPid = err.pid;
      }
      const here = deps.state.get(key);
      const result = { key, restored: version, outcome: reply.outcome, head: reply.outcome === 'unchanged' ? reply.head.version : reply.storedVersion, local: here?.path ?? null, writtenHere, daemonPid };
      if (values.json) io.out(JSON.stringify(result));
      else {
        io.out(reply.outcome === 'unchanged' ? `v${version} is already the current version of ${key}.` : `Restored ${key} v${version} as v${result.head}; other devices get it on their next sync.`);
        if (daemonPid !== null) io.out(`The running daemon (pid ${daemonPid}) writes it here.`);
        else if (!result.writtenHere && here && reply.outcome !== 'unchanged') io.out(`${here.path} was not replaced here because it changed since the last sync; run retrosync sync after checking it.`);
      }
      return reply.outcome === 'conflict_lost' ? EXIT.failure : EXIT.ok;
    } catch (err) {
      const e = explain(err, server);
      io.err(`retrosync restore: ${e.message}`);
      return e.code;
    }
  },
};
