import type { PlayLease } from '@retrosync/api';
import { Link } from '../../app/router';
import { formatSince } from '../../lib/leases';
import { splitKey } from '../../lib/saves';

/** Saves in use on a device right now (play leases); shown only while something is being played. */
export function PlayingCard({ leases }: { leases: readonly PlayLease[] }) {
  if (leases.length === 0) return null;
  return (
    <section className="card" aria-labelledby="playing-card-title" data-testid="playing-card">
      <h2 id="playing-card-title">Playing now</h2>
      <ul className="plain-list">
        {leases.slice(0, 5).map((lease) => (
          <li key={lease.key}>
            <Link to={`/dashboard/saves?key=${encodeURIComponent(lease.key)}`}>{splitKey(lease.key).game}</Link>{' '}
            <span className="muted small">
              on {lease.deviceName} since {formatSince(lease.since)}
            </span>
          </li>
        ))}
      </ul>
      {leases.length > 5 ? <p className="muted small">and {leases.length - 5} more</p> : null}
    </section>
  );
}
