/**
 * Save written on device A → file on disk at device B, with two `retrosync daemon` processes
 * (MinUI card A, Onion card B) and a real server in this process. Timestamps come from the
 * daemons' `--json` events (`noticed`: A's debounce fired; `applied`: B's atomic write returned)
 * and from this process (`written`); all on one machine clock.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { events, makeClient, startServer, stop } from '../../e2e/client/harness.js';

const MINUI_DIR = 'mnt/SDCARD/Saves';
const MINUI_FILE = `${MINUI_DIR}/GBA/Bench Quest.gba.sav`;
const ONION_DIR = 'mnt/SDCARD/Saves/CurrentProfile/saves';
const ONION_FILE = `${ONION_DIR}/gpSP/Bench Quest.srm`;
const KEY = 'gba/Bench Quest/battery';

export interface LatencySample {
  total: number;
  afterDebounce: number;
  /** A: debounce fired → upload answered. */
  upload: number;
  /** upload answered on A → push event received on B (server commit + SSE). */
  push: number;
  /** B: push received → bytes on disk (download + backup + atomic write). */
  apply: number;
}

export async function measureLatency(edits: number, saveBytes: number, debounceMs: number): Promise<LatencySample[]> {
  const server = await startServer();
  const a = makeClient('bench-a', [MINUI_DIR]);
  const b = makeClient('bench-b', [ONION_DIR]);
  for (const [c, platform] of [[a, 'minui'], [b, 'onion']] as const) {
    const r = await c.cli('pair', await server.pairingCode(), '--server', server.url, '--platform', platform, '--root', c.root, '--name', c.name);
    if (r.status !== 0) throw new Error(`pairing failed: ${r.stderr}`);
  }
  const da = a.spawn('daemon', '--json', '--debounce', String(debounceMs));
  const db = b.spawn('daemon', '--json', '--debounce', String(debounceMs));
  const ea = events(da);
  const eb = events(db);
  const samples: LatencySample[] = [];
  try {
    await Promise.all([ea.waitFor((e) => e.event === 'ready', 30_000), eb.waitFor((e) => e.event === 'ready', 30_000)]);
    for (let i = 0; i < edits; i++) {
      const bytes = randomBytes(saveBytes);
      const seenA = ea.all.length;
      const seenB = eb.all.length;
      const written = Date.now();
      a.write(MINUI_FILE, bytes);
      const applied = await eb.waitFor((e) => e.event === 'applied' && e.key === KEY && eb.all.indexOf(e) >= seenB, 30_000);
      const noticed = ea.all.slice(seenA).find((e) => e.event === 'noticed');
      const uploaded = ea.all.slice(seenA).find((e) => e.event === 'uploaded' && e.key === KEY);
      const pushed = eb.all.slice(seenB).find((e) => e.event === 'pushed' && e.key === KEY);
      if (!noticed || !uploaded || !pushed) throw new Error('daemons did not report noticed/uploaded/pushed');
      if (!readFileSync(b.path(ONION_FILE)).equals(bytes)) throw new Error(`edit ${i}: B has other bytes`);
      samples.push({ total: (applied.t as number) - written, afterDebounce: (applied.t as number) - (noticed.t as number), upload: (uploaded.t as number) - (noticed.t as number), push: (pushed.t as number) - (uploaded.t as number), apply: (applied.t as number) - (pushed.t as number) });
      // let both sides settle (B's own write is debounced too) before the next edit
      await new Promise((r) => setTimeout(r, debounceMs + 400));
    }
  } finally {
    await Promise.all([stop(da), stop(db)]);
    await server.close();
  }
  return samples;
}
