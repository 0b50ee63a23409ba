/** `retrosync history <key> [--json]`: a save's versions on the server, conflicts included. */
import { EXIT, UsageError, type Command } from '../../cli/command.js';
import { explain } from '../../session/errors.js';
import { openSession } from '../../session/open.js';

export const command: Command = {
  name: 'history',
  summary: "list a save's versions on the server (conflict copies included)",
  usage: 'usage: retrosync history KEY [--json]\n\nKEY is <system>/<game>/<kind>, e.g. "gba/Pokemon Emerald/battery" (see retrosync status / identify).',
  options: { json: { type: 'boolean' } },
  async run(values, pos, io) {
    const key = pos[0];
    if (!key) throw new UsageError('name the save key');
    let server: string | undefined;
    try {
      const { deps, config } = await openSession({ env: io.env as NodeJS.ProcessEnv });
      server = config.server;
      const h = await deps.remote.versions(key);
      const mine = deps.state.get(key);
      if (values.json) {
        io.out(JSON.stringify({ key, head: h.head, local: mine ? { version: mine.version, path: mine.path } : null, versions: h.versions }, null, 2));
        return EXIT.ok;
      }
      io.out(`${key}: head v${h.head ?? '-'}${mine ? `, this device has v${mine.version} at ${mine.path}` : ''}`);
      for (const v of h.versions) {
        const flags = [v.head ? 'head' : '', v.conflict ? 'conflict' : '', v.deleted ? 'deleted' : ''].filter(Boolean).join(',');
        io.out(`  v${String(v.version).padEnd(4)} ${v.createdAt}  ${String(v.size).padStart(9)} B  ${v.sha256.slice(0, 12)}  ${v.deviceId === config.deviceId ? 'this device' : (v.deviceId ?? 'restored')}${flags ? `  [${flags}]` : ''}`);
      }
      io.out(`Restore one with: retrosync restore "${key}" --version N`);
      return EXIT.ok;
    } catch (err) {
      const e = explain(err, server);
      io.err(`retrosync history: ${e.message}`);
      return e.code;
    }
  },
};
