/**
 * The "several replicas" topology, started for real on loopback: a throwaway PostgreSQL cluster
 * (its own, so the test can restart it), an S3 service (s3rver), N server processes and nginx
 * balancing them — the deployment the README's "Running several replicas" section describes.
 *
 *   const cluster = await startCluster({ replicas: 3 });   // null + reason when a part is missing
 *   cluster.url            → nginx;  cluster.replicas[i].url → one replica directly
 *   await cluster.replicas[1].kill();  await cluster.restartDatabase();  await cluster.stop();
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startS3rver, type RunningS3rver } from '../../packages/server/src/storage/blob/test-support/s3rver.js';
import { freePort } from '../../packages/server/src/test-support/ports.js';

export const REPO = resolve(import.meta.dirname, '../..');
const PG_BIN = '/usr/lib/postgresql/15/bin';
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
export const JWT_SECRET = 'topology-secret-topology-secret-0123456789';

/** Why the topology cannot run on this machine, or null when it can. */
export function topologyUnavailable(): string | null {
  if (!existsSync(join(PG_BIN, 'initdb'))) return `PostgreSQL 15 is not installed (${PG_BIN}/initdb)`;
  if (!NGINX) return 'nginx is not installed (apt-get install nginx-light)';
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root, but there is no postgres user to run initdb as';
    }
  }
  return null;
}

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await ok().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs a PostgreSQL binary, as the postgres user when we are root (initdb refuses root). */
function pg(bin: string, args: string[]): void {
  const cmd = join(PG_BIN, bin);
  if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'ignore' });
  else execFileSync(cmd, args, { stdio: 'ignore' });
}

export interface Database {
  url: string;
  /** The postmaster's process id (its children are the backends). */
  pid(): number;
  restart(): void;
  stop(): void;
}

export async function startPostgres(extraOptions = ''): Promise<Database> {
  const dir = mkdtempSync(join(tmpdir(), 'rs-topo-pg-'));
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const port = await freePort();
  pg('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off ${extraOptions}`;
  const start = () => pg('pg_ctl', ['-D', join(dir, 'data'), '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pid: () => Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]),
    restart() {
      pg('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
      start();
    },
    stop() {
      try {
        pg('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already down
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Replica {
  index: number;
  url: string;
  port: number;
  child: ChildProcess;
  /** Output of the process, for failure messages. */
  log(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  alive(): boolean;
}

export async function startReplica(index: number, env: Record<string, string>, nodeArgs: string[] = []): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, '--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: REPO,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: mkdtempSync(join(tmpdir(), `rs-topo-r${index}-`)) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`replica ${index} (${url})`, async () => {
    if (child.exitCode !== null) throw new Error(`replica ${index} exited: ${out}`);
    return (await fetch(`${url}/healthz`)).ok;
  });
  return {
    index,
    url,
    port,
    child,
    log: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
    kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((r) => {
        child.once('exit', () => r());
        child.kill(signal);
      });
    },
  };
}

export interface Nginx {
  url: string;
  /** The master process id (its children are the workers). */
  pid: number;
  /** nginx's error log so far (warnings and errors: failed upstreams, exhausted connections). */
  errorLog(): string;
  stop(): Promise<void>;
}

/** The configuration the README shows (with test paths and ports). */
export function nginxConfig(port: number, replicaPorts: number[], dir: string, workers = 1): string {
  // Each device holding a long poll and checking in costs nginx up to four connections (two from
  // the device, two to a replica), each one descriptor; several workers split them under the
  // per-process open-file limit (20,000 here), and \`reuseport\` spreads new connections evenly
  // over the workers (without it one busy worker ran out of connections first: bench:fleet).
  return `daemon off;
worker_processes ${workers};
worker_rlimit_nofile 19500;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 19000; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  upstream retrosync {
${replicaPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 512;
  }
  server {
    listen 127.0.0.1:${port} backlog=4096${workers > 1 ? ' reuseport' : ''};
    client_max_body_size 0;          # the server enforces its own limits
    location / {
      proxy_pass http://retrosync;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_buffering off;             # long polls and SSE reach the device at once
      proxy_request_buffering off;     # uploads stream to the replica (it spools and checks them)
      proxy_read_timeout 3600s;        # SSE streams and 60 s long polls
      proxy_send_timeout 3600s;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
    }
  }
}
`;
}

export interface Cluster {
  url: string;
  db: Database;
  s3: RunningS3rver;
  replicas: Replica[];
  nginx: Nginx;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startCluster(options: {
  replicas: number;
  env?: Record<string, string>;
  nginxWorkers?: number;
  /** Extra Node.js flags for the replicas (e.g. --cpu-prof in a benchmark). */
  nodeArgs?: string[];
  /** Extra `-c name=value` settings for PostgreSQL. */
  postgresOptions?: string;
}): Promise<Cluster> {
  const db = await startPostgres(options.postgresOptions);
  const s3 = await startS3rver();
  const parts: { replicas: Replica[]; nginx?: Nginx } = { replicas: [] };
  const stop = async () => {
    await parts.nginx?.stop();
    await Promise.all(parts.replicas.map((r) => r.kill('SIGKILL')));
    await s3.stop();
    db.stop();
  };
  try {
    const proxyPort = await freePort();
    const env: Record<string, string> = {
      DATABASE_URL: db.url,
      JWT_SECRET,
      MINIO_ENDPOINT: s3.endpoint,
      MINIO_ROOT_USER: s3.accessKeyId,
      MINIO_ROOT_PASSWORD: s3.secretAccessKey,
      MINIO_BUCKET: 'retrosync-topology',
      NEXT_PUBLIC_API_URL: `http://127.0.0.1:${proxyPort}`,
      TRUST_PROXY: 'true',
      LAN_DISCOVERY: 'false',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      METRICS_OPEN: 'true',
      ...options.env,
    };
    // The first replica migrates the database; the others start against it together.
    parts.replicas.push(await startReplica(0, env, options.nodeArgs));
    parts.replicas.push(...(await Promise.all(Array.from({ length: options.replicas - 1 }, (_, i) => startReplica(i + 1, env, options.nodeArgs)))));
    parts.nginx = await startNginx(proxyPort, parts.replicas.map((r) => r.port), options.nginxWorkers ?? 1);
    return { url: parts.nginx.url, db, s3, replicas: parts.replicas, nginx: parts.nginx, env, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * nginx in front of the replicas, configured as README → "Running several replicas" says:
 * round robin, no buffering (long polls, SSE and uploads stream through), long read timeouts,
 * failover to the next replica when one cannot be reached. The port is chosen in advance, as the
 * replicas' public URL names it.
 */
async function startNginx(port: number, replicaPorts: number[], workers: number): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'rs-topo-nginx-'));
  mkdirSync(join(dir, 'logs'));
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(port, replicaPorts, dir, workers));
  const child = spawn(NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('nginx', async () => {
    if (child.exitCode !== null) throw new Error('nginx exited at start');
    return (await fetch(`${url}/healthz`)).ok;
  });
  return {
    url,
    pid: child.pid!,
    errorLog: () => {
      try {
        return readFileSync(join(dir, 'logs/error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    stop: () =>
      new Promise((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          r();
        });
        child.kill('SIGQUIT');
      }),
  };
}
