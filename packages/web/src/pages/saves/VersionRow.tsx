import type { SaveVersion } from '@retrosync/api';
import { RelativeTime } from '../../components/Time';
import { formatBytes } from '../../lib/format';
import { downloadName, downloadUrl } from '../../lib/saves';

type Props = {
  saveKey: string;
  version: SaveVersion;
  deviceNames: ReadonlyMap<string, string>;
  busy: boolean;
  /** Whether any stored version is left to bring back (not after the whole save was deleted). */
  restorable: boolean;
  onRestore: () => void;
  onDelete: () => void;
};

function origin(version: SaveVersion, deviceNames: ReadonlyMap<string, string>): string {
  if (version.restoredFrom !== null) return `Restored from v${version.restoredFrom}`;
  if (version.deviceId === null) return 'Dashboard';
  return deviceNames.get(version.deviceId) ?? 'Removed device';
}

/** The restore button's label: "Keep this one" on a conflict copy, "Restore" otherwise (on a deleted head: the version before it). */
function restoreLabel(version: SaveVersion, restorable: boolean): string | null {
  if (version.head) return version.deleted && restorable ? 'Restore' : null;
  if (version.deleted) return null;
  return version.conflict ? 'Keep this one' : 'Restore';
}

export function VersionRow({ saveKey, version, deviceNames, busy, restorable, onRestore, onDelete }: Props) {
  const label = `version ${version.version}`;
  const restore = restoreLabel(version, restorable);
  return (
    <tr className="version-row" data-head={version.head} data-testid="version-row" data-version={version.version}>
      <td className="nowrap">
        <div className="row">
          <span>v{version.version}</span>
          {version.head ? <span className="badge badge-ok badge-plain">current</span> : null}
          {version.conflict ? <span className="badge badge-warn badge-plain">conflict</span> : null}
          {version.deleted ? <span className="badge badge-danger badge-plain">deleted</span> : null}
          {version.blank ? (
            <span className="badge badge-plain" title="Empty, all 0x00 or all 0xFF: a fresh save written at game start. Kept, but never made current over a real save.">
              blank
            </span>
          ) : null}
          {version.timeTrusted ? null : (
            <span className="badge badge-warn badge-plain" title="The device's clock had been reset or had jumped, so its time could not be trusted: it never wins a conflict on time.">
              clock unsure
            </span>
          )}
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
          {restore === null ? null : (
            <button
              type="button"
              className={version.conflict && !version.deleted ? 'btn btn-small btn-primary' : 'btn btn-small'}
              disabled={busy}
              onClick={onRestore}
            >
              {restore}
              <span className="visually-hidden"> ({label})</span>
            </button>
          )}
          {version.head ? null : (
            <button type="button" className="btn btn-small btn-danger" disabled={busy} onClick={onDelete}>
              Delete<span className="visually-hidden"> ({label})</span>
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}
