import { useEffect, useState } from 'react';
import { formatCountdown, formatDateTime, formatRelative, toDate } from '../lib/format';

/** Re-renders every `ms` milliseconds; returns the current time. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return now;
}

/** "5 min ago", kept fresh, with the exact time on hover. */
export function RelativeTime({ value }: { value: string | number | null | undefined }) {
  const now = useNow(30_000);
  const date = toDate(value);
  if (!date) return <span>never</span>;
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatRelative(date, now)}
    </time>
  );
}

/** A live countdown to `until`; calls `onExpire` once when it reaches zero. */
export function Countdown({ until, onExpire }: { until: string | number; onExpire?: () => void }) {
  const now = useNow(1000);
  const end = toDate(until)?.getTime() ?? now;
  const left = Math.max(0, Math.round((end - now) / 1000));
  useEffect(() => {
    if (left === 0) onExpire?.();
  }, [left, onExpire]);
  return <time dateTime={`PT${left}S`}>{formatCountdown(left)}</time>;
}
