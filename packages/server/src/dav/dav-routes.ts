/**
 * `/dav/`: the WebDAV endpoint RetroArch's Cloud Sync talks to (`webdav_url = <server>/dav/`).
 *
 * Methods: OPTIONS, GET/HEAD, PUT (any Content-Type, `Expect: 100-continue` answered by Node),
 * DELETE, MKCOL, COPY, MOVE. No PROPFIND or locks: RetroArch uses neither (PROPFIND answers 405).
 *
 * Auth: HTTP Basic on every request. The password is the device's API key (pair a "RetroArch"
 * device in the dashboard); the username is not checked — any name works, the dashboard shows
 * the device's name. Key checks are counted per address before they happen and given back when
 * the key is right, as sign-in passwords are (http/limits.ts): 429 with Retry-After once an
 * address has spent LOGIN_IP_FAILURES wrong keys in the window. Beyond a LAN, Basic needs HTTPS: the key travels
 * in every request.
 *
 * Errors are short plain-text bodies with the WebDAV status (RetroArch reads only the status).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '@retrosync/api';
import type { AppDeps } from '../app-deps.js';
import type { DeviceAuth } from '../http/auth.js';
import { DAV_PREFIX, davPath, destinationPath } from './dav-path.js';
import { DavError, DavService } from './dav-service.js';
import { MANIFEST_PATH } from './dav-view.js';
import { generateManifest, manifestText } from './manifest.js';
import { join } from 'node:path';

export const DAV_METHODS = ['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'COPY', 'MOVE', 'PROPFIND'] as const;
const ALLOW = 'OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE';
const REALM = 'Basic realm="RetroSync", charset="UTF-8"';
/** No byte of a PUT body for this long ends it (RetroArch sends the whole file at once). */
const PUT_STALL_MS = 60_000;

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The API key from `Authorization: Basic base64(user:key)`; null when absent or not Basic. */
export function basicPassword(value: string | undefined): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value ?? '');
  if (!m?.[1]) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : text.slice(colon + 1);
}

export function registerDavRoutes(app: FastifyInstance, deps: AppDeps): void {
  for (const m of ['MKCOL', 'COPY', 'MOVE', 'PROPFIND']) {
    if (!app.supportedMethods.includes(m)) app.addHttpMethod(m, { hasBody: true });
  }
  const service = new DavService({
    sync: deps.sync,
    clock: deps.clock,
    syncLog: deps.syncLog,
    spoolDir: join(deps.config.dataDir, 'tmp', 'uploads'),
    maxBytes: deps.sync.service.deps.maxUploadBytes,
  });

  async function authenticate(req: FastifyRequest): Promise<DeviceAuth> {
    const key = basicPassword(header(req, 'authorization'));
    if (key === null) throw new DavError(401, 'Sign in with the RetroArch device password from the RetroSync dashboard.');
    // Counted before the key is checked, given back when it is right (http/limits.ts), like sign-in.
    const login = deps.config.login;
    const ticket = await deps.limits.take([{ key: `dav:ip:${req.ip}`, limit: login.ipFailures, windowMs: login.windowMs, message: 'Too many wrong RetroArch passwords from this address.' }]);
    let auth: DeviceAuth;
    try {
      const fake = { headers: { 'x-api-key': key.trim() } } as unknown as FastifyRequest;
      auth = (await app.routeEnv.authenticator.authenticate(fake, 'device')) as DeviceAuth;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw new DavError(401, err.message);
      throw err;
    }
    await deps.limits.refund(ticket);
    return auth;
  }

  function fail(reply: FastifyReply, err: unknown): FastifyReply {
    let status = 500;
    let message = 'Internal error.';
    if (err instanceof DavError) ({ status, message } = err);
    else if (err instanceof ApiError) {
      status = err.status;
      message = err.message;
      if (err.headers) reply.headers(err.headers);
    } else reply.log.error({ err }, 'dav: unhandled error');
    if (status === 401) reply.header('www-authenticate', REALM);
    return reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(`${message}\n`);
  }

  async function handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    try {
      const auth = await authenticate(req);
      const path = davPath(req.raw.url ?? '');
      reply.header('dav', '1');
      switch (req.method) {
        case 'OPTIONS':
          return reply.code(200).header('allow', ALLOW).header('ms-author-via', 'DAV').header('content-length', '0').send();
        case 'HEAD': {
          // Read-only: a HEAD neither counts as RetroArch's check-in nor as a download.
          if (path === MANIFEST_PATH) return reply.code(200).header('content-type', 'application/json; charset=utf-8').send();
          const info = await service.stat(auth, path);
          reply.code(200).header('content-type', 'application/octet-stream').header('content-length', String(info.size));
          if (info.md5) reply.header('etag', `"${info.md5}"`);
          return reply.send();
        }
        case 'GET': {
          if (path === MANIFEST_PATH) {
            // RetroArch reads the manifest once per sync: that is its check-in (last seen, online).
            await deps.devices.heartbeat(auth.device, { platform: 'retroarch' });
            const text = manifestText(await generateManifest(deps.sync, deps.clock, auth));
            return reply.code(200).header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store').send(text);
          }
          const served = await service.get(auth, path);
          reply.code(200).header('content-type', 'application/octet-stream').header('content-length', String(served.size)).header('cache-control', 'no-store');
          if (served.md5) reply.header('etag', `"${served.md5}"`);
          return reply.send(served.body);
        }
        case 'PUT': {
          // A body that stops arriving ends the request (transfers fail on stalls, never on total time).
          if (typeof req.raw.socket?.setTimeout === 'function') req.raw.socket.setTimeout(PUT_STALL_MS, () => req.raw.destroy(new Error('upload stalled')));
          const body = (req.body as NodeJS.ReadableStream | undefined) ?? req.raw;
          const created = await service.put(auth, path, body as import('node:stream').Readable);
          return reply.code(created ? 201 : 204).send();
        }
        case 'DELETE':
          await service.delete(auth, path);
          return reply.code(204).send();
        case 'MKCOL': {
          const length = header(req, 'content-length');
          if ((length !== undefined && length !== '0') || header(req, 'transfer-encoding')) {
            throw new DavError(415, 'MKCOL takes no body.');
          }
          await service.mkcol(auth, path);
          return reply.code(201).send();
        }
        case 'COPY':
        case 'MOVE': {
          const to = destinationPath(header(req, 'destination'));
          const overwrite = (header(req, 'overwrite') ?? 'T').trim().toUpperCase() !== 'F';
          const depth = (header(req, 'depth') ?? 'infinity').trim().toLowerCase() === '0' ? '0' : 'infinity';
          const created = await service.transfer(auth, path, to, { move: req.method === 'MOVE', overwrite, depth });
          return reply.code(created ? 201 : 204).send();
        }
        default:
          reply.header('allow', ALLOW);
          throw new DavError(405, `${req.method} is not supported here (RetroArch does not use it).`);
      }
    } catch (err) {
      return fail(reply, err);
    }
  }

  void app.register(async (scope) => {
    // Bodies pass through raw whatever their Content-Type (RetroArch sends form-urlencoded).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    for (const url of [DAV_PREFIX, `${DAV_PREFIX}/*`]) {
      scope.route({ method: [...DAV_METHODS], url, handler: handle });
    }
  });
}
