/**
 * A small HTTP proxy in front of the test server for the transfer and clock tests: it records
 * every request's method, URL and headers, and per request can stall (take the body, never
 * answer) or throttle the answer to a steady number of bytes per second.
 */
import { createServer, request, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';

export interface Seen { method: string; url: string; headers: IncomingHttpHeaders; status?: number; outcome?: string }
export type Rule = { stall: true } | { throttle: number } | undefined;

export interface Proxy {
  url: string;
  seen: Seen[];
  rule: (method: string, url: string) => Rule;
  stop(): Promise<void>;
}

function trickle(res: ServerResponse, body: Buffer, bytesPerSecond: number): void {
  const step = Math.max(1, Math.floor(bytesPerSecond / 10));
  let at = 0;
  const tick = () => {
    if (res.destroyed) return;
    res.write(body.subarray(at, at + step));
    at += step;
    if (at >= body.length) res.end();
    else setTimeout(tick, 100);
  };
  tick();
}

export async function startProxy(target: string): Promise<Proxy> {
  const t = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: Proxy = { url: '', seen: [], rule: () => undefined, stop: async () => undefined };
  const server: Server = createServer((req, res) => {
    const seen: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    proxy.seen.push(seen);
    const rule = proxy.rule(seen.method, decodeURIComponent(seen.url));
    if (rule && 'stall' in rule) {
      req.resume(); // take the body, never answer: no progress from here on
      return;
    }
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      seen.status = upRes.statusCode;
      const outcome = upRes.headers['x-outcome'];
      seen.outcome = Array.isArray(outcome) ? outcome[0] : outcome;
      if (!rule) {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        trickle(res, Buffer.concat(chunks), rule.throttle);
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return proxy;
}

/** The value of a header as sent (first one when repeated). */
export function headerOf(s: Seen, name: string): string | undefined {
  const v = s.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
