/**
 * The RetroSync server as a real child process (as a self-hoster runs it): it can be killed with
 * SIGKILL at any moment and restarted on the same DATA_DIR, with a clock offset (accelerated
 * time for retention). Devices reach it only through their {@link Link}s, which follow it to its
 * new port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeArgs, REPO } from './runtime.js';
import { freePort } from '../../packages/server/src/test-support/ports.js';

export { REPO };
const TSX = ['--conditions=source', '--import', 'tsx'];

export interface ServerOptions {
  retentionDays: number;
  retentionVersions: number;
}

export class ServerProc {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'rs-loss-server-'));
  port = 0;
  /** Simulated time: every process's clock runs this far ahead of the real one. */
  offsetMs = 0;
  private child: ChildProcess | undefined;
  private stderr = '';
  /** Called with the new port after every (re)start. */
  onPort: (port: number) => void = () => {};

  constructor(private readonly options: ServerOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      DATA_DIR: this.dataDir,
      LOG_LEVEL: 'warn',
      JWT_SECRET: 'loss-harness-secret-0123456789abcdef0123456789',
      RETENTION_DAYS: String(this.options.retentionDays),
      RETENTION_VERSIONS: String(this.options.retentionVersions),
      PAIRING_IP_CODE_REQUESTS: '100000',
      RETROSYNC_TEST_CLOCK_OFFSET_MS: String(this.offsetMs),
    };
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.stderr = '';
    const child = spawn(process.execPath, nodeArgs('server', 'main'), { cwd: REPO, env: this.env(), stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.child = child;
    for (let i = 0; i < 400; i++) {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${this.stderr}`);
      try {
        const r = await fetch(`${this.url}/healthz`);
        if (r.status < 500) {
          this.onPort(this.port);
          return;
        }
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`server did not answer /healthz: ${this.stderr}`);
  }

  /** SIGKILL: no shutdown hooks, whatever was in flight is cut. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = undefined;
    return new Promise((r) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return r();
      child.once('exit', () => r());
      child.kill(sig);
    });
  }

  /** Time passes: stop, run maintenance as it would run `days` later, start again (clock ahead). */
  async advance(days: number): Promise<string> {
    await this.stop();
    this.offsetMs += days * 86_400_000;
    const out = await new Promise<string>((res, rej) => {
      const c = spawn(process.execPath, [...TSX, 'e2e/loss/maintenance.ts'], { cwd: REPO, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let o = '';
      let e = '';
      c.stdout.on('data', (d: Buffer) => (o += d.toString()));
      c.stderr.on('data', (d: Buffer) => (e += d.toString()));
      c.on('close', (code) => (code === 0 ? res(o.trim()) : rej(new Error(`maintenance failed (${code}): ${e}`))));
    });
    await this.start();
    return out;
  }
}
