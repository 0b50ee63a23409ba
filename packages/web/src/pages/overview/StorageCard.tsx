import type { SaveSummary, SubscriptionTier } from '@retrosync/api';
import { Link } from '../../app/router';
import { formatBytes } from '../../lib/format';

export interface StorageUsage {
  tier: SubscriptionTier;
  usedBytes: number;
  /** null = unlimited */
  limitBytes: number | null;
}

/**
 * Storage used against the plan's quota (`GET /api/saves/usage`: every version the server
 * keeps, identical bytes counted once), with a meter when the plan has a limit.
 */
export function StorageCard({ usage, saves }: { usage: StorageUsage | undefined; saves: readonly SaveSummary[] | undefined }) {
  const live = saves?.filter((save) => !save.deleted).length;
  const share = usage?.limitBytes ? Math.min(1, usage.usedBytes / usage.limitBytes) : null;
  return (
    <section className="card" aria-labelledby="storage-card-title">
      <h2 id="storage-card-title">Storage</h2>
      {usage === undefined ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <p className="stat-value" data-testid="storage-used">
            {formatBytes(usage.usedBytes)}
          </p>
          {share !== null && usage.limitBytes !== null && (
            <div
              className="meter"
              role="meter"
              aria-label="Storage used"
              aria-valuemin={0}
              aria-valuemax={usage.limitBytes}
              aria-valuenow={usage.usedBytes}
              data-level={share >= 0.9 ? 'high' : 'normal'}
            >
              <span style={{ width: `${Math.round(share * 100)}%` }} />
            </div>
          )}
          <p className="muted small">
            {usage.limitBytes === null ? 'no limit' : `of ${formatBytes(usage.limitBytes)}`} · {usage.tier} plan
            {live !== undefined && ` · ${live} current save${live === 1 ? '' : 's'}`}
          </p>
          {share !== null && share >= 0.9 ? (
            <p className="small">
              Nearly full: delete old versions, or whole saves, on the <Link to="/dashboard/saves">Saves</Link> page to free space.
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
