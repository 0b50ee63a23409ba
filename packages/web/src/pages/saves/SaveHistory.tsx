import { useEffect, useState } from 'react';
import { saveRoutes, syncSaveRoutes, type SaveVersion } from '@retrosync/api';
import { call } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useLoad } from '../../lib/useLoad';
import { kindLabel, splitKey, systemLabel, unansweredConflicts } from '../../lib/saves';
import { VersionRow } from './VersionRow';

type Props = {
  saveKey: string;
  deviceNames: ReadonlyMap<string, string>;
  /** Bumped when a save event arrives, to reload the history. */
  refresh: number;
  onRestored: () => void;
};

export function SaveHistory({ saveKey, deviceNames, refresh, onRestored }: Props) {
  const history = useLoad(() => call(syncSaveRoutes.versions, { params: { '*': saveKey } }), saveKey);
  const [busyVersion, setBusyVersion] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const { reload } = history;

  useEffect(() => {
    if (refresh > 0) void reload();
  }, [refresh, reload]);

  const restore = async (version: SaveVersion) => {
    setBusyVersion(version.version);
    setError(null);
    setDone(null);
    try {
      const result = await call(saveRoutes.restore, { body: { key: saveKey, version: version.version } });
      setDone(
        version.conflict
          ? `Kept version ${version.version}: it is now the current save (v${result.head.version}). Your devices pick it up on their next sync.`
          : `Restored version ${version.version} as v${result.head.version}. Your devices pick it up on their next sync.`,
      );
      await reload();
      onRestored();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusyVersion(null);
    }
  };

  const { system, game, kind } = splitKey(saveKey);
  const versions = history.data?.versions ?? [];
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">{game}</h2>
      <p className="muted small">
        {systemLabel(system)} · {kindLabel(kind)} · <code>{saveKey}</code>
      </p>
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
                  busy={busyVersion !== null}
                  onRestore={() => void restore(version)}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
