/**
 * A real webhook receiver for tests, on a loopback port: it verifies every request the way
 * docs/webhooks.md tells receivers to (HMAC-SHA256 over "<timestamp>.<body>", timestamp within
 * five minutes, constant-time compare), remembers what came, and answers with whatever status
 * the test scripts (`respond`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  eventId: string;
  event: string;
  timestamp: number;
  body: string;
  json: { id: string; type: string; createdAt: string; data: Record<string, any> };
  headers: IncomingHttpHeaders;
  /** The documented check passed with the secret the receiver holds. */
  verified: boolean;
  /** Seconds between the signed timestamp and the receiver's clock when it arrived. */
  ageSeconds: number;
  status: number;
  /** When it arrived (ms). */
  at: number;
}

/** The recipe from docs/webhooks.md, written out independently of the server's signing module. */
export function verifyLikeDocs(secret: string, headers: IncomingHttpHeaders, rawBody: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const timestamp = String(headers['x-retrosync-timestamp'] ?? '');
  const signature = String(headers['x-retrosync-signature'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const expected = 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The secret the receiver verifies with (set after creating the hook). */
  secret: string;
  /** Status for the next request (default 200); may look at what arrived. */
  respond: (r: Omit<Received, 'status' | 'at'>) => number;
  /** How long the receiver takes to answer (ms). */
  delayMs: number;
  waitFor(predicate: (all: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver = {
    received: [] as Received[],
    secret: '',
    respond: (() => 200) as Receiver['respond'],
    delayMs: 0,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const timestamp = Number(req.headers['x-retrosync-timestamp']);
      const entry = {
        eventId: String(req.headers['x-retrosync-event-id']),
        event: String(req.headers['x-retrosync-event']),
        timestamp,
        body,
        json: JSON.parse(body),
        headers: req.headers,
        verified: verifyLikeDocs(receiver.secret, req.headers, body),
        ageSeconds: Math.floor(Date.now() / 1000) - timestamp,
      };
      const status = receiver.respond(entry);
      receiver.received.push({ ...entry, status, at: Date.now() });
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status < 300 ? 'thanks' : 'receiver is down for the test');
      }, receiver.delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    async waitFor(predicate: (all: Received[]) => boolean, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(receiver.received)) {
        if (Date.now() > deadline) throw new Error(`receiver: condition not met in ${timeoutMs} ms; got ${JSON.stringify(receiver.received.map((r) => [r.event, r.status]))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return receiver.received;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
}
