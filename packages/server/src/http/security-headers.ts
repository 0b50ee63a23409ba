/**
 * Headers every reply carries:
 * - `X-Content-Type-Options: nosniff` on everything (a save downloaded as octet-stream or a JSON
 *   error can never be sniffed into HTML by a browser);
 * - `Cache-Control: no-store` on API replies that set no caching of their own — replies carry
 *   session tokens, API keys, poll tokens and pairing codes, and no proxy or browser cache may keep
 *   them (downloads set `private, no-cache` themselves: they revalidate by ETag);
 * - `Strict-Transport-Security` when the public URL is https (a browser that once reached the
 *   server over TLS never falls back to plain HTTP, where the session cookie could be read).
 */
import type { FastifyInstance } from 'fastify';

export const HSTS_VALUE = 'max-age=31536000';

export function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (options.https) reply.header('strict-transport-security', HSTS_VALUE);
    const path = req.url;
    if ((path.startsWith('/api/') || path.startsWith('/healthz')) && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
