/**
 * The receiver recipes in docs/webhooks.md, run as written: the Node.js function and the Python
 * function each accept a delivery signed by the server's signing code, and refuse a changed body,
 * a wrong secret and a stale timestamp. (Python runs when python3 is installed; otherwise that
 * case says so and is skipped.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signPayload, verifySignature } from './signing.js';

const DOC = readFileSync(resolve(import.meta.dirname, '../../../../docs/webhooks.md'), 'utf8');
const block = (lang: string) => {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(DOC);
  if (!m) throw new Error(`no ${lang} block in docs/webhooks.md`);
  return m[1]!;
};

const secret = newWebhookSecret();
const body = JSON.stringify({ id: 'e1', type: 'webhook.test', createdAt: '2026-12-02T18:00:00.000Z', data: { message: 'héllo' } });
const now = Math.floor(Date.now() / 1000);
const headersAt = (ts: number, b = body, key = secret) => ({ 'x-retrosync-timestamp': String(ts), 'x-retrosync-signature': signPayload(key, ts, b) });

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('docs/webhooks.md receiver recipes', () => {
  it('the Node.js recipe accepts a signed delivery and refuses tampering, a wrong secret and an old timestamp', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-webhook-doc-'));
    const file = join(dir, 'verify.mjs');
    writeFileSync(file, block('js'));
    const { verifyRetroSync } = (await import(pathToFileURL(file).href)) as { verifyRetroSync: (s: string, h: Record<string, string>, b: string, n?: number) => boolean };
    expect(verifyRetroSync(secret, headersAt(now), body)).toBe(true);
    expect(verifyRetroSync(secret, headersAt(now), body.replace('héllo', 'hello'))).toBe(false);
    expect(verifyRetroSync(newWebhookSecret(), headersAt(now), body)).toBe(false);
    expect(verifyRetroSync(secret, headersAt(now - 301), body)).toBe(false);
    expect(verifyRetroSync(secret, {}, body)).toBe(false);
    // The server's own verifier agrees.
    const h = headersAt(now);
    expect(verifySignature({ secret, body, timestamp: h['x-retrosync-timestamp'], signature: h['x-retrosync-signature'], nowSeconds: now })).toEqual({ ok: true });
    expect(verifySignature({ secret, body, timestamp: String(now - 400), signature: signPayload(secret, now - 400, body), nowSeconds: now })).toEqual({ ok: false, reason: 'stale' });
  });

  it.skipIf(!hasPython())('the Python recipe agrees (python3)', () => {
    const cases = [
      { headers: headersAt(now), body, want: true },
      { headers: headersAt(now), body: body.replace('héllo', 'hello'), want: false },
      { headers: headersAt(now, body, newWebhookSecret()), body, want: false },
      { headers: headersAt(now - 301), body, want: false },
    ];
    const script = `${block('python')}
import json, sys
cases = json.load(sys.stdin)
secret = sys.argv[1]
print(json.dumps([verify_retrosync(secret, {"X-RetroSync-Timestamp": c["headers"]["x-retrosync-timestamp"], "X-RetroSync-Signature": c["headers"]["x-retrosync-signature"]}, c["body"].encode()) for c in cases]))
`;
    const out = execFileSync('python3', ['-c', script, secret], { input: JSON.stringify(cases) }).toString();
    expect(JSON.parse(out)).toEqual(cases.map((c) => c.want));
  });
});
