import { useState } from 'react';

/** The signing secret, shown once (after creating a hook or making a new secret). */
export function SecretNotice({ secret, url, onDone }: { secret: string; url: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section className="card webhook-secret" aria-labelledby="webhook-secret-title" data-testid="webhook-secret">
      <h2 id="webhook-secret-title">Signing secret for {url}</h2>
      <p>
        Copy it into your receiver now: <strong>it is not shown again.</strong> Your receiver checks the <code>X-RetroSync-Signature</code> header with it
        (see the verification recipe in <code>docs/webhooks.md</code>).
      </p>
      <div className="row">
        <code className="secret-value" data-testid="webhook-secret-value">
          {secret}
        </code>
      </div>
      <div className="row">
        <button type="button" className="btn" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy secret'}
        </button>
        <button type="button" className="btn btn-primary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  );
}
