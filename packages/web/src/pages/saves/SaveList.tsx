import type { PlayLease, SaveSummary } from '@retrosync/api';
import { InUseBadge } from '../../components/InUseBadge';
import { RelativeTime } from '../../components/Time';
import { leaseKeyId } from '../../lib/leases';
import { formatBytes } from '../../lib/format';
import { groupBySystem, kindLabel } from '../../lib/saves';

type Props = {
  saves: readonly SaveSummary[];
  deviceNames: ReadonlyMap<string, string>;
  selected: string | null;
  onSelect: (key: string) => void;
  /** Live play leases by leaseKeyId(key). */
  leases?: ReadonlyMap<string, PlayLease>;
};

export function SaveList({ saves, deviceNames, selected, onSelect, leases }: Props) {
  return (
    <div>
      {groupBySystem(saves).map((group) => (
        <div className="system-group" key={group.system}>
          <h3>{group.label}</h3>
          <ul className="list">
            {group.items.map((save) => (
              <li key={save.key}>
                <button
                  type="button"
                  className="list-item save-button"
                  aria-current={save.key === selected ? 'true' : undefined}
                  onClick={() => onSelect(save.key)}
                  data-testid="save-item"
                >
                  <span>
                    <span className="title">{save.metadata?.gameName ?? save.game}</span>
                    <span className="meta">
                      <span>{kindLabel(save.kind)}</span>
                      <span>v{save.version}</span>
                      <span>{formatBytes(save.size)}</span>
                      <span>{save.deviceId ? (deviceNames.get(save.deviceId) ?? 'removed device') : 'restored in dashboard'}</span>
                      <RelativeTime value={save.updatedAt} />
                    </span>
                    {leases?.get(leaseKeyId(save.key)) ? (
                      <span className="in-use-line">
                        <InUseBadge lease={leases.get(leaseKeyId(save.key))!} />
                      </span>
                    ) : null}
                  </span>
                  <span className="row">
                    {save.deleted ? <span className="badge badge-danger badge-plain">deleted</span> : null}
                    {save.conflictCount > 0 ? (
                      <span className="badge badge-warn badge-plain">
                        {save.conflictCount} conflict{save.conflictCount === 1 ? '' : 's'}
                      </span>
                    ) : null}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
