import type { PlayLease } from '@retrosync/api';
import { formatDateTime } from '../lib/format';
import { inUseText } from '../lib/leases';

/** "In use on RG35XX+ since 14:02": a device is playing this save (its play lease). */
export function InUseBadge({ lease }: { lease: PlayLease }) {
  const how = lease.reason === 'launch' ? 'the game was started there' : 'it saw the save change';
  return (
    <span
      className="badge badge-live"
      data-testid="in-use"
      title={`${inUseText(lease)} (${how}). Changes from other devices meanwhile are still kept; the newer one wins. Ends by ${formatDateTime(new Date(lease.expiresAt))} unless renewed.`}
    >
      {inUseText(lease)}
    </span>
  );
}
