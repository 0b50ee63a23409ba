import type { SaveSummary } from '@retrosync/api';
import { Link } from '../../app/router';

/** Saves where two devices disagreed: both copies are kept until the player picks one. */
export function ConflictsCard({ saves }: { saves: readonly SaveSummary[] | undefined }) {
  const conflicted = saves?.filter((save) => save.conflictCount > 0 && !save.deleted) ?? [];
  return (
    <section className="card" aria-labelledby="conflicts-card-title">
      <h2 id="conflicts-card-title">Conflicts</h2>
      {saves === undefined ? (
        <p className="muted">Loading…</p>
      ) : conflicted.length === 0 ? (
        <>
          <p className="stat-value">0</p>
          <p className="muted small">No save has a conflicting copy. Nothing needs your attention.</p>
        </>
      ) : (
        <>
          <p className="stat-value">{conflicted.length}</p>
          <ul className="small">
            {conflicted.slice(0, 4).map((save) => (
              <li key={save.key}>
                <Link to={`/dashboard/saves?key=${encodeURIComponent(save.key)}`}>{save.metadata?.gameName ?? save.game}</Link>{' '}
                <span className="muted">
                  ({save.conflictCount} kept cop{save.conflictCount === 1 ? 'y' : 'ies'})
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
