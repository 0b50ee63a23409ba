/**
 * Child process of the API benchmark: starts (1) the real RetroSync app on a fresh SQLite file
 * with its production logger (level LOG_LEVEL, default info) writing to /dev/null, with one
 * paired device per benchmark connection (BENCH_DEVICES, default 100), and (2) a bare Fastify app with one JSON route. Prints one JSON line with both
 * URLs and the device key, then serves until killed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { buildApp, loadConfig, openDatabase } from '@retrosync/server';
import { loggerOptions } from '../../packages/server/src/logger.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retrosync-bench-'));
const config = loadConfig({ DATA_DIR: dir, JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0000', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' });
const { db, dialect, close } = await openDatabase(config.database);
const logger = pino(loggerOptions(config.logLevel), pino.destination({ dest: '/dev/null', sync: false }));
const app = await buildApp({ config, db, dialect, jwtSecret: config.jwtSecret!, logger });

const reg = await app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'bench@example.com', password: 'bench password' } });
const token = reg.json().data.token as string;
// One device per connection, as in real use (each device checks in on its own row).
const apiKeys: string[] = [];
for (let i = 0; i < Number(process.env.BENCH_DEVICES ?? 100); i++) {
  const code = (await app.inject({ method: 'POST', url: '/api/devices/create-pairing-code', headers: { authorization: `Bearer ${token}` } })).json().data.code;
  const pair = await app.inject({ method: 'POST', url: '/api/devices/pair', payload: { code, deviceName: `Bench ${i}`, deviceType: 'linux' } });
  apiKeys.push(pair.json().data.apiKey as string);
}

const bare = Fastify({ logger: false });
bare.post('/bare', async () => ({ success: true, data: { ok: true, serverTime: new Date().toISOString() } }));

const appUrl = await app.listen({ port: 0, host: '127.0.0.1' });
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ appUrl, bareUrl, apiKeys, logLevel: config.logLevel })}\n`);

const stop = async () => {
  await app.close();
  await bare.close();
  await close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
