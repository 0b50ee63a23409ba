import { syncSaveRoutes, type SaveSummary } from '@retrosync/api';
import { call } from '../../api/client';
import { Link } from '../../app/router';
import { unansweredConflicts } from '../../lib/saves';
import { useLoad } from '../../lib/useLoad';

/** Checked per save for conflict copies; more than this many are summarised, not listed. */
const MAX_CHECKED = 20;

/**
 * Saves where two devices disagreed and the player has not chosen yet: a conflict copy with
 * no restore after it. (A save keeps its conflict copies for 90 days; answered ones don't count.)
 */
export function ConflictsCard({ saves }: { saves: readonly SaveSummary[] | undefined }) {
  const candidates = (saves ?? []).filter((save) => save.conflictCount > 0 && !save.deleted).slice(0, MAX_CHECKED);
  const key = candidates.map((save) => `${save.key}@${save.version}`).join('|');
  const open = useLoad(async () => {
    const histories = await Promise.all(
      candidates.map((save) => call(syncSaveRoutes.versions, { params: { '*': save.key } }).then((h) => ({ save, h }))),
    );
    return histories
      .map(({ save, h }) => ({ save, open: unansweredConflicts(h.versions).length }))
      .filter((entry) => entry.open > 0);
  }, key);

  const list = open.data ?? [];
  return (
    <section className="card" aria-labelledby="conflicts-card-title">
      <h2 id="conflicts-card-title">Conflicts to review</h2>
      {saves === undefined || (open.loading && !open.data) ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <>
          <p className="stat-value" data-testid="open-conflicts">
            0
          </p>
          <p className="muted small">No save is waiting for you to pick between two copies.</p>
        </>
      ) : (
        <>
          <p className="stat-value" data-testid="open-conflicts">
            {list.length}
          </p>
          <ul className="small">
            {list.map(({ save, open: count }) => (
              <li key={save.key}>
                <Link to={`/dashboard/saves?key=${encodeURIComponent(save.key)}`}>{save.metadata?.gameName ?? save.game}</Link>{' '}
                <span className="muted">
                  ({count} cop{count === 1 ? 'y' : 'ies'} to review)
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
