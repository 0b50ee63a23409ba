/**
 * Webhooks with two real server processes on one PostgreSQL database (as behind a load balancer):
 * every event is delivered exactly once although both replicas' dispatchers scan the same outbox
 * (FOR UPDATE SKIP LOCKED claims), both replicas do send, and deliveries queued while the receiver
 * is down survive a replica being SIGKILLed and are sent once it is back. PostgreSQL only: SQLite
 * means one server process (its claim path runs in packages/server/src/webhooks/*.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { nodeArgs, REPO } from './loss/runtime.js';
import { createTestDatabase, databaseTargets, type TestDatabase } from '../packages/server/src/test-support/databases.js';
import { freePort } from '../packages/server/src/test-support/ports.js';
import { startReceiver, type Receiver } from '../packages/server/src/webhooks/test-support/receiver.js';

const run = databaseTargets().includes('postgres') ? describe : describe.skip;
if (!databaseTargets().includes('postgres')) console.log('webhooks-replicas: skipped, TEST_DATABASES does not include postgres');

class Replica {
  port = 0;
  private child: ChildProcess | undefined;
  private stderr = '';
  constructor(
    private readonly databaseUrl: string,
    private readonly dataDir: string,
  ) {}
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.port = await freePort();
    const env = {
      ...process.env,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      DATA_DIR: this.dataDir,
      DATABASE_URL: this.databaseUrl,
      LOG_LEVEL: 'warn',
      LAN_DISCOVERY: 'false',
      JWT_SECRET: 'webhook-replicas-secret-0123456789abcdef0123',
      REGISTER_IP_LIMIT: '1000',
      WEBHOOKS_ALLOW_PRIVATE: 'true',
      WEBHOOKS_POLL_MS: '25',
      WEBHOOKS_TIMEOUT_MS: '1000',
      WEBHOOKS_RETRY_BASE_MS: '100',
      WEBHOOKS_MAX_ATTEMPTS: '50',
      WEBHOOKS_DISABLE_AFTER: '10000',
    };
    const child = spawn(process.execPath, nodeArgs('server', 'main'), { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.child = child;
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${this.stderr}`);
      const ok = await fetch(`${this.url}/healthz`).then((r) => r.status < 500, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`server did not answer /healthz: ${this.stderr}`);
  }
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    return new Promise((r) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return r();
      child.once('exit', () => r());
      child.kill(signal);
    });
  }
}

async function api(base: string, method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as { success: boolean; data: any };
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

async function uploadSave(base: string, apiKey: string, key: string, bytes: string) {
  const res = await fetch(`${base}/api/sync/saves/${key}`, {
    method: 'PUT',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/octet-stream', 'x-content-sha256': createHash('sha256').update(bytes).digest('hex') },
    body: bytes,
  });
  if (res.status !== 200) throw new Error(`upload ${key}: ${res.status} ${await res.text()}`);
}

run('webhooks with two server processes on PostgreSQL', () => {
  let database: TestDatabase;
  let replicas: Replica[];
  let receiver: Receiver;
  let sql: pg.Client;
  let token: string;
  let apiKey: string;
  let hookId: string;
  let userId: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    if (database.config.kind !== 'postgres') throw new Error('expected PostgreSQL');
    const url = database.config.url;
    replicas = [new Replica(url, database.dataDir), new Replica(url, database.dataDir)];
    // The first start migrates; then the second joins.
    await replicas[0]!.start();
    await replicas[1]!.start();
    sql = new pg.Client({ connectionString: url });
    await sql.connect();
    receiver = await startReceiver();
    const [a] = replicas as [Replica, Replica];
    const registered = await api(a.url, 'POST', '/api/auth/register', null, { email: 'replicas@example.com', password: 'correct horse battery', name: 'R' });
    token = registered.token;
    userId = registered.user.id;
    const created = await api(a.url, 'POST', '/api/webhooks', token, { url: receiver.url, events: ['save.uploaded'] });
    receiver.secret = created.secret;
    hookId = created.webhook.id;
    const { code } = await api(a.url, 'POST', '/api/devices/create-pairing-code', token, undefined);
    apiKey = (await api(a.url, 'POST', '/api/devices/pair', null, { code, deviceName: 'Handheld', deviceType: 'miyoo_mini' })).apiKey;
  }, 120_000);

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await sql?.end();
    await receiver?.close();
    await database?.drop();
  });

  it('each event reaches the receiver exactly once, though both replicas send', async () => {
    // A slow receiver keeps deliveries in flight while the other replica scans the outbox.
    receiver.respond = () => 200;
    receiver.delayMs = 30;
    const N = 60;
    await Promise.all(Array.from({ length: N }, (_, i) => uploadSave(replicas[i % 2]!.url, apiKey, `gba/Game ${i}/battery`, `bytes ${i}`)));
    await receiver.waitFor((all) => new Set(all.map((r) => r.eventId)).size >= N, 30_000);
    await new Promise((r) => setTimeout(r, 1000)); // a late duplicate would arrive now
    const ids = receiver.received.map((r) => r.eventId);
    expect(ids).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);
    expect(receiver.received.every((r) => r.verified && r.status === 200)).toBe(true);
    const keys = new Set(receiver.received.map((r) => r.json.data.key));
    expect(keys.size).toBe(N);

    const { rows } = await sql.query<{ status: string; attempts: number; n: string }>(
      `select status, attempts, count(*) as n from webhook_deliveries where webhook_id = $1 group by status, attempts`,
      [hookId],
    );
    expect(rows.map((r) => [r.status, r.attempts, Number(r.n)])).toEqual([['delivered', 1, N]]);
    const senders = await sql.query<{ sender: string; n: string }>(`select sender, count(*) as n from webhook_attempts where webhook_id = $1 group by sender`, [hookId]);
    console.log(`webhooks-replicas: ${N} events, attempts per replica: ${senders.rows.map((r) => r.n).join(' + ')}`);
    expect(senders.rows).toHaveLength(2); // both dispatchers took part
  });

  it('a backlog that falls due at one instant is drained by both replicas, each delivery sent once', async () => {
    // Both dispatchers find the same due rows in the same moment and keep claiming batches while
    // the (slow) receiver answers: the claim is all that keeps them from sending a row twice.
    receiver.received.length = 0;
    receiver.delayMs = 20;
    receiver.respond = () => 200;
    const B = 200;
    const due = Date.now() + 1500;
    const values: string[] = [];
    const params: unknown[] = [];
    for (let i = 0; i < B; i++) {
      const id = randomUUID();
      const payload = JSON.stringify({ id, type: 'save.uploaded', createdAt: new Date().toISOString(), data: { key: `gb/Backlog ${i}/battery`, version: 1 } });
      const n = params.length;
      values.push(`($${n + 1}, $${n + 2}, $${n + 3}, 'save.uploaded', $${n + 4}, 'pending', 0, $${n + 5}, $${n + 6})`);
      params.push(id, hookId, userId, payload, due, Date.now());
    }
    await sql.query(
      `insert into webhook_deliveries (id, webhook_id, user_id, event_type, payload, status, attempts, next_attempt_at, created_at) values ${values.join(', ')}`,
      params,
    );
    await receiver.waitFor((all) => new Set(all.map((r) => r.eventId)).size >= B, 40_000);
    await new Promise((r) => setTimeout(r, 1000));
    const ids = receiver.received.map((r) => r.eventId);
    expect(new Set(ids).size).toBe(B);
    expect(ids).toHaveLength(B);
    const senders = await sql.query<{ sender: string; n: string }>(
      `select a.sender, count(*) as n from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id where d.next_attempt_at = $1 group by a.sender`,
      [due],
    );
    console.log(`webhooks-replicas: backlog of ${B}, attempts per replica: ${senders.rows.map((r) => r.n).join(' + ')}`);
    expect(senders.rows).toHaveLength(2);
  }, 60_000);

  it('deliveries queued while the receiver is down survive a SIGKILLed replica and go out once it is back', async () => {
    receiver.received.length = 0;
    receiver.delayMs = 0;
    receiver.respond = () => 503;
    const M = 10;
    for (let i = 0; i < M; i++) await uploadSave(replicas[0]!.url, apiKey, `snes/Down ${i}/battery`, `down ${i}`);
    await receiver.waitFor((all) => new Set(all.map((r) => r.eventId)).size >= M, 20_000);
    await replicas[0]!.stop('SIGKILL');
    await replicas[1]!.stop('SIGKILL');
    const pending = await sql.query<{ n: string }>(`select count(*) as n from webhook_deliveries where webhook_id = $1 and status = 'pending'`, [hookId]);
    expect(Number(pending.rows[0]!.n)).toBe(M);

    receiver.respond = () => 200;
    await replicas[1]!.start();
    await receiver.waitFor((all) => new Set(all.filter((r) => r.status === 200).map((r) => r.eventId)).size >= M, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    const okIds = receiver.received.filter((r) => r.status === 200).map((r) => r.eventId);
    expect(okIds).toHaveLength(M);
    expect(new Set(okIds).size).toBe(M);
    const done = await sql.query<{ status: string; n: string }>(`select status, count(*) as n from webhook_deliveries where webhook_id = $1 group by status`, [hookId]);
    expect(done.rows.map((r) => [r.status, Number(r.n)])).toEqual([['delivered', 60 + 200 + M]]);
  }, 60_000);
});
