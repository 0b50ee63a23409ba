/** `retrosync sync [--json]`: one full pass now; exit 0 when everything synced, 1 on failures, 75 when the server is unreachable. */
import { EXIT, type Command } from '../../cli/command.js';
import { syncPass } from '../../engine/engine.js';
import { explain, EXIT_TEMPFAIL } from '../../session/errors.js';
import { acquireLock } from '../../session/lock.js';
import { openSession } from '../../session/open.js';
import { ROM_ROOT_OPTION, romRootsOption } from '../../cli/device.js';
import { terminalProgress } from '../../session/progress.js';

export const command: Command = {
  name: 'sync',
  summary: 'sync once now (exit status tells whether everything synced)',
  usage: 'usage: retrosync sync [--json] [--quiet] [--rom-root DIR]...\n\nScans the save folders, uploads what changed, downloads what changed elsewhere.\nExit: 0 all synced, 1 some saves failed or could not be applied here, or missing files\nwere not read as deletions (see retrosync status), 75 server unreachable or\nanother retrosync process (the daemon) is syncing this device (try again later).',
  options: { json: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, ...ROM_ROOT_OPTION },
  async run(values, _pos, io) {
    const json = values.json === true;
    let server: string | undefined;
    try {
      const session = await openSession({
        romRoots: romRootsOption(values, io),
        env: io.env as NodeJS.ProcessEnv,
        progress: json ? undefined : terminalProgress(),
        ...(json || values.quiet ? {} : { echo: (level, m) => (level === 'debug' ? undefined : io.err(m)) }),
      });
      server = session.config.server;
      const lock = await acquireLock(session.paths.home);
      const r = await syncPass(session.deps, { ignorePause: true }).finally(() => lock.release());
      // Never "in sync" while a save could not be applied or missing files were held back.
      const incomplete = r.unapplied.length > 0 || r.held !== null;
      const code = r.failed.length === 0 && !r.quotaPaused && !incomplete ? EXIT.ok : r.failed.every((f) => f.transient) && !r.quotaPaused && !incomplete ? EXIT_TEMPFAIL : EXIT.failure;
      if (json) io.out(JSON.stringify({ ok: code === EXIT.ok, ...r }));
      else if (!values.quiet) {
        io.out(`${r.uploaded.length} uploaded, ${r.downloaded.length} downloaded, ${r.deleted.length} deleted, ${r.conflicts.length} conflicts, ${r.failed.length} failed (${r.scanned} saves here).`);
        for (const u of r.unapplied) io.out(`Not applied here: ${u.key}: ${u.reason}`);
        if (r.held) io.out(`No deletions this pass: ${r.held}`);
        if (r.failed.length || incomplete) io.out('Details: retrosync status, retrosync log');
      }
      return code;
    } catch (err) {
      const e = explain(err, server);
      if (json) io.out(JSON.stringify({ ok: false, error: e.message }));
      io.err(`retrosync sync: ${e.message}`);
      return e.code;
    }
  },
};
