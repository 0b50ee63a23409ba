import { Link } from '../app/router';

export function BrandMark() {
  return (
    <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="var(--accent)" />
      <path
        d="M9 12a7 7 0 0 1 12.6-3.4M23 20a7 7 0 0 1-12.6 3.4"
        fill="none"
        stroke="var(--accent-text)"
        strokeWidth="2.6"
        strokeLinecap="round"
      />
      <path
        d="M22.6 4.6v4.4h-4.4M9.4 27.4V23h4.4"
        fill="none"
        stroke="var(--accent-text)"
        strokeWidth="2.6"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function Brand({ to = '/' }: { to?: string }) {
  return (
    <Link to={to} className="brand">
      <BrandMark />
      RetroSync
    </Link>
  );
}
