/**
 * A TCP proxy standing for a device's Wi-Fi link: it forwards to the server's current port (the
 * server may be restarted on another one), and can throttle (bytes per second each way), stall
 * (accept and hold everything, forwarding nothing) or drop (cut every connection after N bytes).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type LinkMode = { kind: 'ok' } | { kind: 'throttle'; bytesPerSec: number } | { kind: 'stall' } | { kind: 'drop'; afterBytes: number };

export function describeLink(m: LinkMode): string {
  switch (m.kind) {
    case 'ok':
      return 'ok';
    case 'throttle':
      return `throttle ${m.bytesPerSec} B/s`;
    case 'stall':
      return 'stall';
    case 'drop':
      return `drop after ${m.afterBytes} B`;
  }
}

export interface Link {
  url: string;
  mode: LinkMode;
  /** Where connections go (the server's current port). */
  target: number;
  /** Cuts every open connection (as a Wi-Fi drop would). */
  cutAll(): void;
  close(): Promise<void>;
}

/** Pipes `from` into `to` under the link's current mode (read at every chunk). */
function pump(link: Link, from: Socket, to: Socket, counter: { bytes: number }, cutBoth: () => void): void {
  let queue = Promise.resolve();
  from.on('data', (chunk: Buffer) => {
    from.pause();
    queue = queue.then(async () => {
      let rest = chunk;
      while (rest.length > 0) {
        const m = link.mode;
        if (to.destroyed) return;
        if (m.kind === 'stall') {
          await sleep(50);
          continue;
        }
        if (m.kind === 'drop' && counter.bytes + rest.length > m.afterBytes) {
          const n = Math.max(0, m.afterBytes - counter.bytes);
          if (n > 0) to.write(rest.subarray(0, n));
          counter.bytes += n;
          cutBoth();
          return;
        }
        const piece = m.kind === 'throttle' ? rest.subarray(0, Math.max(1, Math.floor(m.bytesPerSec / 20))) : rest;
        counter.bytes += piece.length;
        to.write(piece);
        rest = rest.subarray(piece.length);
        if (m.kind === 'throttle') await sleep(50);
      }
      if (!from.destroyed) from.resume();
    });
  });
  from.on('end', () => void queue.then(() => to.end()));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startLink(target: number): Promise<Link> {
  const sockets = new Set<Socket>();
  let server: Server;
  const link: Link = {
    url: '',
    mode: { kind: 'ok' },
    target,
    cutAll() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        link.cutAll();
        server.close(() => r());
      }),
  };
  server = createServer((client) => {
    const upstream = connect(link.target, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const counter = { bytes: 0 };
    const cutBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', cutBoth);
      s.on('close', () => {
        sockets.delete(s);
        cutBoth();
      });
    }
    pump(link, client, upstream, counter, cutBoth);
    pump(link, upstream, client, counter, cutBoth);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  link.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return link;
}
