/**
 * Serves the built web dashboard (packages/web/dist) from the API server:
 * - `/`, `/auth/*`, `/dashboard/*` answer index.html (the SPA routes itself), with a strict
 *   Content-Security-Policy and no caching, so a new build is picked up at once; when the
 *   request carries the session cookie, a `<meta name="retrosync-session">` tells the SPA to
 *   ask who is signed in (a visitor without a session is never sent on a 401 round trip);
 * - `/assets/*` are Vite's content-hashed files, cached for a year as immutable;
 * - when the dashboard was never built, those routes explain how to build it instead of failing.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasCookie } from './csrf.js';

/** Everything the dashboard needs comes from its own origin; QR codes arrive as data: PNGs. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': DASHBOARD_CSP,
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
} as const;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite writes assets flat into dist/assets with names like `index-3fa9c2.js`. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export interface DashboardOptions {
  /** Folder holding the built dashboard; defaults to `DASHBOARD_DIR` or packages/web/dist. */
  distDir?: string;
  /** Name of the HttpOnly session cookie (default `retrosync_token`). */
  sessionCookie?: string;
}

export const SESSION_HINT = '<meta name="retrosync-session" content="1">';

export function defaultDashboardDir(): string {
  if (process.env.DASHBOARD_DIR) return resolve(process.env.DASHBOARD_DIR);
  // Same relative path from packages/server/src/http and packages/server/dist/http.
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');
}

const NOT_BUILT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>RetroSync — dashboard not built</title></head>
<body><main><h1>RetroSync is running</h1>
<p>The web dashboard has not been built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds it) and reload this page.</p>
<p>The API is available under <code>/api</code>; its description is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</main></body></html>
`;

export async function registerDashboard(app: FastifyInstance, options: DashboardOptions = {}): Promise<void> {
  const distDir = options.distDir ?? defaultDashboardDir();
  const assetsDir = join(distDir, 'assets');

  const sessionCookie = options.sessionCookie ?? 'retrosync_token';

  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    let html: string;
    try {
      html = await readFile(join(distDir, 'index.html'), 'utf8');
    } catch {
      app.log.warn({ distDir }, 'dashboard not built: answering the build hint');
      return reply.code(503).headers(HTML_HEADERS).send(NOT_BUILT_HTML);
    }
    if (hasCookie(request.headers.cookie, sessionCookie)) html = html.replace('<head>', `<head>${SESSION_HINT}`);
    return reply.code(200).headers(HTML_HEADERS).header('vary', 'Cookie').send(html);
  };

  for (const url of ['/', '/auth', '/auth/*', '/dashboard', '/dashboard/*']) {
    app.get(url, async (request, reply) => sendIndex(request, reply));
  }

  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const name = request.params['*'];
    const type = CONTENT_TYPES[extname(name).toLowerCase()];
    if (!ASSET_NAME.test(name) || name.includes('..') || !type) return reply.callNotFound();
    const path = join(assetsDir, name);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return reply.callNotFound();
    return reply
      .headers({
        'content-type': type,
        'content-length': String(info.size),
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      })
      .send(createReadStream(path));
  });
}
