/** Starts the real server (`packages/server/src/main.ts`) as a child process on loopback, and samples its RSS. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../packages/server/src/test-support/ports.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  rss(): number;
  /** CPU seconds (user + system) the server process has used. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; ; ) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // starting
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    base,
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb * 1024;
    },
    cpuSeconds() {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100/s)
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Samples `read()` every `everyMs` until stopped; returns the maximum seen. */
export function sampleMax(read: () => number, everyMs = 20): { stop(): number } {
  let max = read();
  const t = setInterval(() => (max = Math.max(max, read())), everyMs);
  return {
    stop() {
      clearInterval(t);
      return Math.max(max, read());
    },
  };
}

/** Waits until the server uses < 5% of a core for a second (it has drained its accept queue), or `maxMs`. */
export async function waitIdle(server: ServerProcess, maxMs = 60_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = server.cpuSeconds();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const cpu = server.cpuSeconds();
    if (cpu - last < 0.05) return;
    last = cpu;
  }
}
