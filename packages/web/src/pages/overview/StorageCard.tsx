import type { SaveSummary, SubscriptionTier } from '@retrosync/api';
import { formatBytes } from '../../lib/format';

/**
 * Storage of the current saves. The API has no usage/quota endpoint yet, so this sums the
 * sizes of the current versions (older versions and conflict copies are not counted) and
 * shows the plan by name rather than guessing the server's configured limit.
 */
export function StorageCard({ saves, tier }: { saves: readonly SaveSummary[] | undefined; tier: SubscriptionTier }) {
  const live = saves?.filter((save) => !save.deleted) ?? [];
  const bytes = live.reduce((sum, save) => sum + save.size, 0);
  return (
    <section className="card" aria-labelledby="storage-card-title">
      <h2 id="storage-card-title">Storage</h2>
      {saves === undefined ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <p className="stat-value">{formatBytes(bytes)}</p>
          <p className="muted small">
            in {live.length} current save{live.length === 1 ? '' : 's'} · {tier} plan
          </p>
        </>
      )}
    </section>
  );
}
