/**
 * `retrosync filter`: selective sync — which systems and games this device syncs, and whether
 * save states do. Two filters combine (a save syncs only when both include it): this device's
 * filter on the server (the same one the dashboard's device page edits) and a local one in
 * config.json (`--local`). Excluding never deletes anything.
 */
import { describeFilter, filtersAllow, type SyncFilter } from '@retrosync/core';
import { EXIT, UsageError, type Command } from '../../cli/command.js';
import { loadConfig, saveConfig } from '../../config/config.js';
import { homePaths } from '../../config/home.js';
import { explain } from '../../session/errors.js';
import { openSession } from '../../session/open.js';
import { knownFilter } from '../../engine/filter.js';
import { editFilter, EVERYTHING } from './edit.js';

const USAGE = `usage: retrosync filter [show|set|reset|test KEY] [options]

Selective sync: which systems and games this device syncs, and whether save states do.
This device's filter lives on the server (the dashboard's device page edits the same one);
--local keeps a second filter in config.json instead. A save syncs only when both include it.
Excluding never deletes: an excluded save stays on the server and on this device, it is just
not uploaded or downloaded here. Changes apply at the next sync pass.

  show                      both filters and what they mean together (default)
  set                       change a filter; only the options given change:
    --only gba,snes           only these systems
    --except ps1              every system but these
    --all-systems             every system
    --include "ps1/Final Fantasy VII"   always sync this game (even if its system is not)
    --exclude "gba/Pokemon Ruby"        never sync this game
    --forget GAME             take a game off both lists
    --states on|off           sync save states (they only work with the same emulator core)
  reset                     sync everything again
  test KEY                  whether a save key syncs on this device, e.g. "gba/Pokemon Ruby/battery"
  --local                   the local filter (config.json) instead of this device's filter on the server
  --json                    machine-readable output`;

export const command: Command = {
  name: 'filter',
  summary: 'choose which systems and games sync here (selective sync)',
  usage: USAGE,
  options: {
    local: { type: 'boolean' },
    json: { type: 'boolean' },
    only: { type: 'string' },
    except: { type: 'string' },
    'all-systems': { type: 'boolean' },
    include: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    forget: { type: 'string', multiple: true },
    states: { type: 'string' },
  },
  async run(values, positionals, io) {
    const [action = 'show', ...rest] = positionals;
    if (!['show', 'set', 'reset', 'test'].includes(action)) throw new UsageError(`unknown action "${action}"`);
    if (action === 'test' && rest.length !== 1) throw new UsageError('test takes one save key');
    if (action !== 'test' && rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}`);
    const editing = ['only', 'except', 'all-systems', 'include', 'exclude', 'forget', 'states'].some((k) => values[k] !== undefined);
    if (editing && action !== 'set') throw new UsageError(`${action} takes no filter options (use set)`);
    if (action === 'set' && !editing) throw new UsageError('set needs at least one of --only, --except, --all-systems, --include, --exclude, --forget, --states');
    const json = values.json === true;
    const paths = homePaths(io.env as NodeJS.ProcessEnv);
    let server: string | undefined;
    try {
      const config = await loadConfig(paths.config);
      server = config.server;
      let local: SyncFilter | null = config.filter ?? null;
      let remote: SyncFilter;
      let remoteNote = '';
      if (values.local && (action === 'set' || action === 'reset')) {
        local = action === 'reset' ? null : editFilter(local ?? EVERYTHING, values);
        const next = { ...config };
        if (local) next.filter = local;
        else delete next.filter;
        await saveConfig(paths.config, next);
      }
      const session = await openSession({ env: io.env as NodeJS.ProcessEnv });
      if (!values.local && (action === 'set' || action === 'reset')) {
        const current = await session.deps.remote.getFilter();
        const v = await session.deps.remote.setFilter(action === 'reset' ? EVERYTHING : editFilter(current.filter, values));
        remote = v.filter;
      } else {
        try {
          const v = await session.deps.remote.getFilter();
          remote = v.filter;
          if (v.updatedBy) remoteNote = ` (set ${v.updatedBy === 'user' ? 'in the dashboard' : 'from this device'}${v.updatedAt ? ` ${v.updatedAt}` : ''})`;
        } catch (err) {
          // The local filter works offline; the server's is shown as last seen by a sync pass.
          if (!values.local) throw err;
          remote = knownFilter(session.deps.state, null).server ?? EVERYTHING;
          remoteNote = ` (as of the last sync; the server did not answer: ${explain(err, server).message})`;
        }
      }
      const filters = [remote, ...(local ? [local] : [])];
      if (action === 'test') {
        const key = rest[0]!;
        const syncs = filtersAllow(filters, key);
        const server = filtersAllow([remote], key);
        const localOk = !local || filtersAllow([local], key);
        if (json) io.out(JSON.stringify({ key, syncs, server, local: localOk }));
        else io.out(syncs ? `${key} syncs on this device.` : `${key} does not sync here: excluded by ${[!server ? "this device's filter on the server" : '', !localOk ? 'the local filter' : ''].filter(Boolean).join(' and ')}.`);
        return syncs ? EXIT.ok : EXIT.failure;
      }
      if (json) {
        io.out(JSON.stringify({ server: remote, local }));
        return EXIT.ok;
      }
      io.out(`This device (server):  ${describeFilter(remote)}${remoteNote}`);
      io.out(`Local (config.json):   ${local ? describeFilter(local) : 'none'}`);
      if (action !== 'show') io.out('Applies at the next sync pass; excluded saves are left alone, nothing is deleted.');
      return EXIT.ok;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const e = explain(err, server);
      io.err(`retrosync filter: ${e.message}`);
      return e.code;
    }
  },
};
