import { useState } from 'react';

/** The recovery codes, shown once, with copy and download. */
export function RecoveryCodes({ codes, fresh, onDone }: { codes: string[]; fresh: boolean; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = `RetroSync recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  const download = `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
  return (
    <div className="form" data-testid="recovery-codes">
      <div className="notice notice-ok" role="status">
        {fresh
          ? 'Two-factor sign-in is on. Other browsers signed in to this account were signed out.'
          : 'New recovery codes made; the old ones no longer work.'}
      </div>
      <p>
        <strong>Save these recovery codes now</strong> — they are shown only this once. If you lose your phone, each code signs you in
        once instead of an app code.
      </p>
      <ul className="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="row">
        <button
          type="button"
          className="btn"
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <a className="btn" href={download} download="retrosync-recovery-codes.txt">
          Download
        </a>
        <button type="button" className="btn btn-primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}
