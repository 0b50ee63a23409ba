/** `retrosync status [--json]`: paired server and device, last sync, pending work, conflicts, pauses. */
import { EXIT, type Command } from '../../cli/command.js';
import { explain } from '../../session/errors.js';
import { openSession } from '../../session/open.js';
import { ROM_ROOT_OPTION, romRootsOption } from '../../cli/device.js';
import { findPending } from './pending.js';
import { deviceNow } from '../../time/device-clock.js';
import { clockTime } from '../../engine/upload.js';

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e) => (clearTimeout(t), reject(e)));
  });
}
import { describeFilter } from '@retrosync/core';
import { knownFilter } from '../../engine/filter.js';

export const command: Command = {
  name: 'status',
  summary: 'show the paired server, last sync, pending work, conflicts and saves in use',
  usage: 'usage: retrosync status [--json] [--rom-root DIR]...\n\n  --rom-root DIR  where your ROMs are (repeatable; added to romRoots in config.json): tells the system of saves in flat or multi-system folders',
  options: { json: { type: 'boolean' }, ...ROM_ROOT_OPTION },
  async run(values, _pos, io) {
    let session;
    try {
      session = await openSession({ env: io.env as NodeJS.ProcessEnv, romRoots: romRootsOption(values, io) });
    } catch (err) {
      io.err(`retrosync status: ${explain(err).message}`);
      return EXIT.failure;
    }
    const { config, deps, paths } = session;
    const s = deps.state.data;
    // Saves in use now (play leases, on the server's clock); null when the server did not answer.
    const inUse = deps.remote.listLeases ? await withTimeout(deps.remote.listLeases(), 5_000).catch(() => null) : null;
    const filter = knownFilter(deps.state, deps.localFilter);
    const pending = await findPending(deps.layout, deps.files, deps.state, filter);
    const report = {
      server: config.server,
      device: { id: config.deviceId, name: config.deviceName, platform: config.platform, roots: config.roots },
      home: paths.home,
      lastSyncAt: s.lastSyncAt,
      lastError: s.lastError,
      synced: Object.values(s.entries).filter((e) => e.sha256 !== null).length,
      cursor: s.cursor,
      pending,
      conflicts: s.conflicts.slice(-10),
      /** Saves in use on a device now ("in use on RG35XX+ since 14:02"); null: the server could not be asked. */
      inUse,
      /** Saves changed here while another device held them (the conflict rule decided; both copies kept). */
      leaseWarnings: s.leaseWarnings.slice(-10),
      paused: s.pausedUntil !== null && s.pausedUntil > deviceNow() ? { until: new Date(s.pausedUntil).toISOString(), reason: s.pauseReason } : null,
      parkedAutoStates: Object.keys(s.parked),
      /** Saves the last passes could not apply here, and why (a flat folder's name taken by another game, …). */
      notApplied: Object.values(s.unapplied),
      /** Why the last pass read no missing file as a deletion. */
      deletionsHeld: s.held,
      /** Selective sync: this device's filter on the server (as of the last feed read) and the local one. */
      filter: { server: filter.server, local: filter.local, excludedHere: pending.excluded },
      inSync: false,
    };
    report.inSync =
      report.lastSyncAt !== null && report.lastError === null && report.notApplied.length === 0 && report.deletionsHeld === null &&
      pending.newFiles.length + pending.changed.length + pending.missing.length === 0;
    if (values.json) {
      io.out(JSON.stringify(report, null, 2));
      return EXIT.ok;
    }
    io.out(`server      ${report.server}`);
    io.out(`device      ${config.deviceName} (${config.platform}, id ${config.deviceId})`);
    io.out(`roots       ${config.roots.join(', ')}`);
    io.out(`last sync   ${report.lastSyncAt ?? 'never — run retrosync sync'}${report.lastError ? `  (last error: ${report.lastError})` : ''}`);
    io.out(`synced      ${report.synced} saves`);
    if (!filter.everything) {
      const parts = [filter.server ? `this device: ${describeFilter(filter.server)}` : '', filter.local ? `local: ${describeFilter(filter.local)}` : ''].filter(Boolean);
      io.out(`filter      ${parts.join('; ')}${pending.excluded ? ` (${pending.excluded} save(s) here excluded, left alone)` : ''}`);
    }
    const p = pending.newFiles.length + pending.changed.length + pending.missing.length;
    io.out(`pending     ${p === 0 ? 'nothing' : `${pending.newFiles.length} new, ${pending.changed.length} changed, ${pending.missing.length} missing locally`}`);
    for (const f of [...pending.newFiles, ...pending.changed].slice(0, 10)) io.out(`              ${f}`);
    if (pending.unclear.length) {
      io.out(`not synced  ${pending.unclear.length} file(s) identity cannot place (put the ROM on the device, or see retrosync identify):`);
      for (const u of pending.unclear.slice(0, 10)) io.out(`              ${u.path}: ${u.reason}`);
    }
    if (report.notApplied.length) {
      io.out(`not applied ${report.notApplied.length} save(s) from the server could not be applied here:`);
      for (const u of report.notApplied.slice(0, 10)) io.out(`              ${u.key} v${u.version}: ${u.reason}`);
    }
    if (inUse === null) io.out('in use      (the server could not be asked)');
    else if (inUse.length === 0) io.out('in use      nothing is being played right now');
    else {
      io.out('in use');
      for (const l of inUse) io.out(`              ${l.key}  in use on ${l.held ? 'this device' : l.deviceName} since ${clockTime(l.since)}${l.reason === 'launch' ? ' (launched)' : ''}`);
    }
    if (report.leaseWarnings.length) {
      io.out('WARNING     saves changed here while in use on another device (both copies kept; the conflict rule decided):');
      for (const w of report.leaseWarnings) io.out(`              ${w.at}  ${w.key}  in use on ${w.deviceName} since ${clockTime(w.since)}`);
    }
    if (report.deletionsHeld) io.out(`HELD        ${report.deletionsHeld.missing} missing save(s) not read as deletions: ${report.deletionsHeld.reason}`);
    io.out(`in sync     ${report.inSync ? 'yes' : 'no'}`);
    if (report.paused) io.out(`PAUSED      uploads until ${report.paused.until}: ${report.paused.reason}`);
    if (report.conflicts.length) {
      io.out('conflicts   (both copies are kept; see retrosync history <key>)');
      for (const c of report.conflicts) io.out(`              ${c.at}  ${c.key}  ${c.outcome} v${c.version}${c.backup ? `  local copy: ${c.backup}` : ''}`);
    }
    return EXIT.ok;
  },
};
