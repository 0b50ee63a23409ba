import type { SaveVersion } from '@retrosync/api';
import { RelativeTime } from '../../components/Time';
import { formatBytes } from '../../lib/format';
import { downloadName, downloadUrl } from '../../lib/saves';

type Props = {
  saveKey: string;
  version: SaveVersion;
  deviceNames: ReadonlyMap<string, string>;
  busy: boolean;
  onRestore: () => void;
};

function origin(version: SaveVersion, deviceNames: ReadonlyMap<string, string>): string {
  if (version.restoredFrom !== null) return `Restored from v${version.restoredFrom}`;
  if (version.deviceId === null) return 'Dashboard';
  return deviceNames.get(version.deviceId) ?? 'Removed device';
}

export function VersionRow({ saveKey, version, deviceNames, busy, onRestore }: Props) {
  const label = `version ${version.version}`;
  return (
    <tr className="version-row" data-head={version.head} data-testid="version-row" data-version={version.version}>
      <td className="nowrap">
        <div className="row">
          <span>v{version.version}</span>
          {version.head ? <span className="badge badge-ok badge-plain">current</span> : null}
          {version.conflict ? <span className="badge badge-warn badge-plain">conflict</span> : null}
          {version.deleted ? <span className="badge badge-danger badge-plain">deleted</span> : null}
        </div>
      </td>
      <td className="nowrap" data-label="Saved">
        <RelativeTime value={version.correctedMtime} />
      </td>
      <td data-label="From">{origin(version, deviceNames)}</td>
      <td className="nowrap" data-label="Size">
        {version.deleted ? '—' : formatBytes(version.size)}
      </td>
      <td className="wide">
        <div className="row version-actions">
          {version.deleted ? null : (
            <a
              className="btn btn-small"
              href={downloadUrl(saveKey, version.version)}
              download={downloadName(saveKey, version.version)}
            >
              Download<span className="visually-hidden"> {label}</span>
            </a>
          )}
          {version.head || version.deleted ? null : (
            <button
              type="button"
              className={version.conflict ? 'btn btn-small btn-primary' : 'btn btn-small'}
              disabled={busy}
              onClick={onRestore}
            >
              {version.conflict ? 'Keep this one' : 'Restore'}
              <span className="visually-hidden"> ({label})</span>
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}
