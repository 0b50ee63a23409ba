/**
 * One HTTP attempt of a webhook delivery, with Node's own http/https (no extra dependency: the
 * `lookup` option is all the pinning needs, and nothing here wants more than one POST).
 *
 * - The target is checked again right now (ssrf.ts) and the socket connects only to the checked
 *   addresses (`pinnedLookup`); https still verifies the certificate against the host name.
 * - One deadline covers connect, request and response (`timeoutMs`).
 * - Redirects are not followed: a 3xx is a failed attempt that names the Location.
 * - At most `maxResponseBytes` of the response are read; then the connection is dropped.
 * - No keep-alive agent, no proxy from the environment.
 */
import http from 'node:http';
import https from 'node:https';
import { checkTarget, pinnedLookup, TargetRefused, type Resolver } from './ssrf.js';

export interface SendInput {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  allowPrivate: boolean;
  resolve?: Resolver | undefined;
}

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

const SNIPPET = 200;

export async function sendWebhook(input: SendInput): Promise<SendResult> {
  const started = performance.now();
  const done = (ok: boolean, statusCode: number | null, error: string | null): SendResult => ({
    ok,
    statusCode,
    durationMs: Math.round(performance.now() - started),
    error: error && error.length > 500 ? `${error.slice(0, 500)}…` : error,
  });
  let target;
  try {
    target = await checkTarget(input.url, input.allowPrivate, input.resolve);
  } catch (err) {
    // Anything that stops the attempt is a failed attempt (logged, retried), never a stuck claim.
    return done(false, null, err instanceof TargetRefused ? `refused: ${err.message}` : `could not send: ${(err as Error).message}`);
  }
  const { url, addresses } = target;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = client.request(url, {
      method: 'POST',
      agent: false,
      lookup: pinnedLookup(addresses),
      headers: { ...input.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(input.body)), connection: 'close' },
    });
    const timer = setTimeout(() => finish(done(false, null, `timed out after ${input.timeoutMs} ms`)), input.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish(done(false, null, err.code ? `${err.code}: ${err.message}` : err.message)));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let read = 0;
      const complete = () => {
        const text = Buffer.concat(chunks).toString('utf8').slice(0, SNIPPET).replace(/\s+/g, ' ').trim();
        if (status >= 200 && status < 300) return finish(done(true, status, null));
        if (status >= 300 && status < 400) {
          return finish(done(false, status, `redirect to ${String(res.headers.location ?? '(no Location)').slice(0, 200)} not followed; point the webhook at the final URL`));
        }
        finish(done(false, status, `HTTP ${status}${text ? `: ${text}` : ''}`));
      };
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (chunks.reduce((n, c) => n + c.length, 0) < SNIPPET) chunks.push(chunk);
        if (read >= input.maxResponseBytes) complete(); // enough: the rest is not read
      });
      res.on('end', complete);
      res.on('error', (err) => finish(done(false, status, err.message)));
    });
    req.end(input.body);
  });
}
