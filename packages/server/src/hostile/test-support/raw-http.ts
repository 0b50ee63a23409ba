/**
 * Raw HTTP for the hostile suite: what a browser or curl would never send (duplicate or
 * negative Content-Length, control characters, slow bodies) goes over a plain TCP socket.
 *
 *   const reply = await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
 *   reply.status; reply.json;
 */
import net from 'node:net';

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export function parseRawReply(text: string): RawReply {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let json: any;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body, json };
}

/** Sends `data` and collects everything until the server closes (or `timeoutMs`). */
export function rawRequest(port: number, data: string | Buffer, timeoutMs = 10_000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply within ${timeoutMs} ms; got: ${Buffer.concat(chunks).toString()}`));
    }, timeoutMs);
    socket.on('data', (c) => {
      chunks.push(c);
      // One reply is enough: stop once a whole JSON body has arrived.
      const r = parseRawReply(Buffer.concat(chunks).toString());
      const len = Number(r.headers['content-length'] ?? NaN);
      if (Number.isFinite(len) && Buffer.byteLength(r.body) >= len) {
        clearTimeout(timer);
        socket.destroy();
        resolve(r);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseRawReply(Buffer.concat(chunks).toString()));
    });
    socket.write(data);
  });
}

/** True when `v` is the error envelope `{success:false, error, code}`. */
export function isErrorEnvelope(v: unknown): boolean {
  const o = v as Record<string, unknown> | undefined;
  return !!o && o.success === false && typeof o.error === 'string' && o.error.length > 0 && typeof o.code === 'string' && o.code.length > 0;
}
