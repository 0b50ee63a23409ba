/**
 * Slow and stalled requests end, and one address can hold only so much open:
 *
 * - Headers must arrive within HEADERS_TIMEOUT_MS (Node's parser; app.ts), answered 408 by the
 *   client error handler.
 * - A JSON body must arrive whole within BODY_TIMEOUT_MS (10 s for at most BODY_LIMIT_BYTES): a
 *   body that trickles in a byte every few seconds is cut with 408 `request_timeout`.
 * - An upload (PUT, or an octet-stream body) has no total deadline — a 50 MB state over a slow
 *   Wi-Fi link may take minutes — but must move at least UPLOAD_MIN_BYTES every UPLOAD_STALL_MS
 *   (1 KiB per 30 s): a stalled (or trickling) upload is cut with 408 and its spool file removed.
 * - At most BODIES_PER_ADDRESS request bodies (16) and UPLOADS_PER_ADDRESS uploads (4) may be
 *   open at once from one client address (req.ip, so TRUST_PROXY applies); more are answered
 *   429 at once, without reading their bodies, and their connections closed.
 * Requests without a body (long polls, event streams, downloads) are not touched: they are
 * expected to be long.
 *
 * A cut request's consumer (the JSON reader, the upload spool) sees the error, the handler answers
 * 408 in the envelope, and the connection is then closed. A body nobody reads (the request was
 * refused first) is cut by closing the connection.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '@retrosync/api';

export interface SlowClientLimits {
  bodyTimeoutMs: number;
  uploadStallMs: number;
  uploadMinBytes: number;
  bodiesPerAddress: number;
  uploadsPerAddress: number;
}

interface BodyState {
  upload: boolean;
  cut: boolean;
  /** The stream the route reads (set in preParsing); destroyed with the timeout error on a cut. */
  payload?: PassThrough;
  stop(): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    slowBody?: BodyState;
  }
}

function hasBody(raw: IncomingMessage): boolean {
  const len = raw.headers['content-length'];
  return (len !== undefined && len !== '0') || raw.headers['transfer-encoding'] !== undefined;
}

function isUpload(req: FastifyRequest): boolean {
  return req.method === 'PUT' || /octet-stream/i.test(req.headers['content-type'] ?? '');
}

export function registerSlowClientLimits(app: FastifyInstance, o: SlowClientLimits): void {
  const open = new Map<string, { bodies: number; uploads: number }>();
  const release = (ip: string, upload: boolean) => {
    const e = open.get(ip);
    if (!e) return;
    e.bodies--;
    if (upload) e.uploads--;
    if (e.bodies <= 0) open.delete(ip);
  };

  app.addHook('onRequest', async (req, reply) => {
    // (Injected requests — tests — have no socket and a body that is there at once.)
    if (!hasBody(req.raw) || typeof req.raw.socket?.destroy !== 'function') return;
    const upload = isUpload(req);
    const ip = req.ip;
    const e = open.get(ip) ?? { bodies: 0, uploads: 0 };
    if (e.bodies >= o.bodiesPerAddress || (upload && e.uploads >= o.uploadsPerAddress)) {
      req.slowBody = { upload, cut: true, stop() {} };
      const err = new ApiError(
        'rate_limited',
        upload ? `At most ${o.uploadsPerAddress} uploads may run at once from one address.` : `At most ${o.bodiesPerAddress} requests with a body may be open at once from one address.`,
        { retryAfterSeconds: 1 },
        { 'retry-after': '1' },
      );
      return reply.code(err.status).headers({ ...err.headers, connection: 'close' }).send(err.toEnvelope());
    }
    e.bodies++;
    if (upload) e.uploads++;
    open.set(ip, e);

    const socket = req.raw.socket;
    const started = Date.now();
    let lastBytes = socket.bytesRead;
    let released = false;
    const state: BodyState = {
      upload,
      cut: false,
      stop() {
        clearInterval(timer);
        if (!released) {
          released = true;
          release(ip, upload);
        }
      },
    };
    req.slowBody = state;
    const cut = (why: string) => {
      state.cut = true;
      state.stop();
      const err = new ApiError('request_timeout', why);
      if (state.payload && !state.payload.destroyed && !reply.sent) state.payload.destroy(err);
      // Nobody is reading the body (or the reply is out already): close the connection; give an
      // active reader a moment to answer 408 first.
      setTimeout(() => socket.destroy(), reply.sent || !state.payload ? 0 : 1000).unref();
    };
    const period = upload ? o.uploadStallMs : Math.min(o.bodyTimeoutMs, 1000);
    const timer = setInterval(() => {
      if (req.raw.complete || socket.destroyed) return state.stop();
      if (!upload) {
        if (Date.now() - started >= o.bodyTimeoutMs) cut(`The request body did not arrive within ${o.bodyTimeoutMs / 1000} s.`);
        return;
      }
      const moved = socket.bytesRead - lastBytes;
      lastBytes = socket.bytesRead;
      if (moved < o.uploadMinBytes) cut(`The upload made no progress for ${o.uploadStallMs / 1000} s (less than ${o.uploadMinBytes} bytes).`);
    }, period);
    timer.unref();
    req.raw.once('end', () => state.stop());
    req.raw.once('close', () => state.stop());
  });

  // The route reads the body through a stream the watchdog can fail (with the 408 error).
  app.addHook('preParsing', async (req, _reply, payload) => {
    const state = req.slowBody;
    if (!state || state.cut) return payload;
    const through = new PassThrough();
    (payload as Readable).on('error', (err) => through.destroy(err));
    (payload as Readable).pipe(through);
    state.payload = through;
    return through;
  });

  app.addHook('onResponse', async (req) => {
    const state = req.slowBody;
    if (!state) return;
    if (state.cut) req.raw.socket.destroy();
    else if (req.raw.complete) state.stop();
  });
}
