/**
 * A tiny recording proxy between RetroArch and the server: every request (method, path, the
 * headers RetroArch's WebDAV driver sends, the body) and the server's status, in order. The
 * recordings of the real binaries are committed under fixtures/ and replayed in CI
 * (replay.test.ts). The API key never reaches a recording: Authorization is replaced by a
 * marker of its scheme and user name.
 */
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';

export interface RecordedExchange {
  method: string;
  /** Path as sent (percent-encoded), with the server's `/dav/` prefix. */
  path: string;
  headers: Record<string, string>;
  /** Body, base64 (RetroArch's saves and manifests are small). */
  body: string;
  status: number;
  /** The response body when it is the manifest (text), else its MD5. */
  response: { manifest?: unknown; md5?: string };
}

const KEPT = ['content-type', 'content-length', 'expect', 'destination', 'overwrite', 'depth', 'connection', 'user-agent'];

function pickHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEPT) {
    const v = h[k];
    if (typeof v === 'string') out[k] = v;
  }
  const auth = h.authorization;
  if (typeof auth === 'string') {
    const [scheme, value] = auth.split(/\s+/, 2);
    const user = scheme?.toLowerCase() === 'basic' && value ? Buffer.from(value, 'base64').toString('utf8').split(':')[0] : '';
    out.authorization = `${scheme} <${user}:device key>`;
  }
  return out;
}

export interface Recorder {
  url: string;
  exchanges: RecordedExchange[];
  close(): Promise<void>;
}

export async function startRecorder(target: string): Promise<Recorder> {
  const upstream = new URL(target);
  const exchanges: RecordedExchange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const destination = req.headers.destination;
      const headers = { ...req.headers, host: upstream.host };
      if (typeof destination === 'string') headers.destination = destination.replace(/^https?:\/\/[^/]+/, upstream.origin);
      delete headers.expect;
      const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (up) => {
        const back: Buffer[] = [];
        up.on('data', (c: Buffer) => back.push(c));
        up.on('end', () => {
          const payload = Buffer.concat(back);
          const isManifest = (req.url ?? '').endsWith('/manifest.server') && req.method === 'GET' && up.statusCode === 200;
          exchanges.push({
            method: req.method ?? '',
            path: req.url ?? '',
            headers: pickHeaders(req.headers),
            body: body.toString('base64'),
            status: up.statusCode ?? 0,
            response: isManifest ? { manifest: JSON.parse(payload.toString('utf8')) } : { md5: createHash('md5').update(payload).digest('hex') },
          });
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(payload);
        });
      });
      out.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
