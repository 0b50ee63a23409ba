import { useEffect, useState } from 'react';
import { saveRoutes, syncSaveRoutes, type PlayLease, type SaveVersion } from '@retrosync/api';
import { inUseText } from '../../lib/leases';
import { call } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatBytes } from '../../lib/format';
import { useLoad } from '../../lib/useLoad';
import { kindLabel, splitKey, systemLabel, unansweredConflicts } from '../../lib/saves';
import { VersionRow } from './VersionRow';

type Props = {
  saveKey: string;
  deviceNames: ReadonlyMap<string, string>;
  /** Bumped when a save event arrives, to reload the history. */
  refresh: number;
  onRestored: () => void;
  /** Versions or the whole save were deleted: the list and the storage figures changed. */
  onDeleted: () => void;
  /** The live play lease on this save, if a device is playing it. */
  lease?: PlayLease | null;
};

/** What the confirmation dialog is about: one old version, or the whole save. */
type Pending = { kind: 'version'; version: SaveVersion } | { kind: 'save' } | null;

export function SaveHistory({ saveKey, deviceNames, refresh, onRestored, onDeleted, lease }: Props) {
  const history = useLoad(() => call(syncSaveRoutes.versions, { params: { '*': saveKey } }), saveKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const { reload } = history;

  useEffect(() => {
    if (refresh > 0) void reload();
  }, [refresh, reload]);

  const run = async (work: () => Promise<string>, after: () => void) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await work());
      await reload();
      after();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  const restore = (version: SaveVersion) =>
    run(async () => {
      const result = await call(saveRoutes.restore, { body: { key: saveKey, version: version.version } });
      const next = 'Your devices pick it up on their next sync.';
      if (version.deleted) return `Restored the save as v${result.head.version} (the version before the deletion). ${next}`;
      if (version.conflict) return `Kept version ${version.version}: it is now the current save (v${result.head.version}). ${next}`;
      return `Restored version ${version.version} as v${result.head.version}. ${next}`;
    }, onRestored);

  const confirmDelete = () => {
    if (pending?.kind === 'version') {
      const { version } = pending.version;
      void run(async () => {
        const result = await call(saveRoutes.deleteVersions, { body: { key: saveKey, versions: [version] } });
        return `Deleted version ${version}. Storage used now: ${formatBytes(result.usage.usedBytes)}.`;
      }, onDeleted);
    } else if (pending?.kind === 'save') {
      void run(async () => {
        const result = await call(saveRoutes.deleteSave, { body: { key: saveKey } });
        const n = result.deletedVersions;
        return `Deleted this save: ${n} version${n === 1 ? '' : 's'} removed. Storage used now: ${formatBytes(result.usage.usedBytes)}. Your devices move their copies into their backup folders on their next sync.`;
      }, onDeleted);
    }
  };

  const { system, game, kind } = splitKey(saveKey);
  const versions = history.data?.versions ?? [];
  const stored = versions.filter((v) => !v.deleted).length;
  return (
    <section className="card" aria-labelledby="history-title">
      <div className="row">
        <h2 id="history-title">{game}</h2>
        <span className="spacer" />
        {stored > 0 ? (
          <button type="button" className="btn btn-small btn-danger" disabled={busy} onClick={() => setPending({ kind: 'save' })}>
            Delete this save
          </button>
        ) : null}
      </div>
      <p className="muted small">
        {systemLabel(system)} · {kindLabel(kind)} · <code>{saveKey}</code>
      </p>
      {lease ? (
        <p className="notice notice-live" role="status" data-testid="save-in-use">
          <strong>{inUseText(lease)}</strong>
          {lease.reason === 'launch' ? ' — the game was started there. ' : ' — it is writing this save. '}
          A change from another device meanwhile is still kept (the newer one wins, the other stays in the history), and that
          device is warned. This ends when the game exits, or by itself once {lease.deviceName} goes offline or stops playing.
        </p>
      ) : null}
      <ErrorNotice error={history.error ?? error} />
      {done ? (
        <div className="notice notice-ok" role="status">
          {done}
        </div>
      ) : null}
      {history.data && versions.length === 0 ? <EmptyState title="No versions" /> : null}
      {unansweredConflicts(versions).length > 0 ? (
        <p className="notice notice-warn">
          Two devices changed this save while apart. Both copies are kept: the newer one won. If the other one is the save you
          want, press <strong>Keep this one</strong> on it.
        </p>
      ) : null}
      {versions.length > 0 ? (
        <div className="table-wrap">
          <table className="table-cards" aria-label={`Versions of ${game}`}>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Saved</th>
                <th scope="col">From</th>
                <th scope="col">Size</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {versions.map((version) => (
                <VersionRow
                  key={version.version}
                  saveKey={saveKey}
                  version={version}
                  deviceNames={deviceNames}
                  busy={busy}
                  restorable={stored > 0}
                  onRestore={() => void restore(version)}
                  onDelete={() => setPending({ kind: 'version', version })}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ConfirmDialog
        open={pending !== null}
        title={pending?.kind === 'save' ? `Delete ${game} everywhere?` : `Delete version ${pending?.kind === 'version' ? pending.version.version : ''} for good?`}
        confirmLabel={pending?.kind === 'save' ? 'Delete save' : 'Delete version'}
        danger
        busy={busy}
        onConfirm={confirmDelete}
        onCancel={() => setPending(null)}
      >
        {pending?.kind === 'save' ? (
          <p>
            All {stored} stored version{stored === 1 ? '' : 's'} of this save are removed from the server and their storage is freed. Each device moves
            its copy into its backup folder on its next sync. This cannot be undone here.
          </p>
        ) : (
          <p>
            This version is removed from the server and its storage is freed, unless another version holds the same bytes. The current save and your
            devices' files are not touched. This cannot be undone.
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}
