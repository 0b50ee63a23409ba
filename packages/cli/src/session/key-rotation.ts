/**
 * `retrosync rotate-key` and the daemon's answer to a rotation asked for in the dashboard: a new
 * API key without re-pairing (server side: packages/server/src/lease/key-rotation.ts).
 *
 *   1. POST /api/devices/key/rotate with the current key → the new key (the old still works);
 *   2. config.json is rewritten atomically (temp, fsync, rename) with `apiKey` = new and
 *      `previousApiKey` = old;
 *   3. POST /api/devices/key/confirm with the new key: the old one stops working on every
 *      replica at once;
 *   4. config.json is rewritten without `previousApiKey`.
 * A crash after 1 leaves the old key in config.json, still valid: the next rotation replaces the
 * unused key. A crash after 2 leaves both keys in config.json: the next session start calls
 * {@link finishRotation}, which confirms the new key (or, if the server no longer knows it — the
 * unused key lapsed after 7 days — goes back to the old one, which then still works).
 * `RETROSYNC_TEST_CRASH_AT=after-server-rotate|after-config-write` stops the rotation at that
 * point (tests of those crashes).
 */
import { ApiError, createApiClient, heartbeatRoutes, keyRotationRoutes } from '@retrosync/api';
import { saveConfig, type Config } from '../config/config.js';
import { deviceNow } from '../time/device-clock.js';

export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

export interface RotateOptions {
  configPath: string;
  config: Config;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

function client(config: Config, apiKey: string, f?: typeof fetch) {
  return createApiClient({ baseUrl: config.server.replace(/\/+$/, ''), apiKey, credentials: 'omit', ...(f ? { fetch: f } : {}) });
}

const clockHeaders = () => ({ 'x-client-time': String(deviceNow()) });

function crashAt(env: NodeJS.ProcessEnv | undefined, point: string): void {
  if (env?.RETROSYNC_TEST_CRASH_AT === point) throw new SimulatedCrash(`simulated crash ${point}`);
}

/** Rotates the device key; resolves with the config now on disk (new key only). */
export async function rotateKey(o: RotateOptions): Promise<Config> {
  let config = o.config;
  // A rotation interrupted earlier is finished first, so `previousApiKey` never holds a stale key.
  if (config.previousApiKey) config = await finishRotation(o.configPath, config, o.fetch);
  const issued = await client(config, config.apiKey, o.fetch).call(keyRotationRoutes.rotate, { headers: clockHeaders() });
  crashAt(o.env, 'after-server-rotate');
  const staged: Config = { ...config, apiKey: issued.apiKey, previousApiKey: config.apiKey };
  await saveConfig(o.configPath, staged);
  crashAt(o.env, 'after-config-write');
  return confirm(o.configPath, staged, o.fetch);
}

async function confirm(configPath: string, staged: Config, f?: typeof fetch): Promise<Config> {
  await client(staged, staged.apiKey, f).call(keyRotationRoutes.confirm, { headers: clockHeaders() });
  const { previousApiKey: _old, ...done } = staged;
  await saveConfig(configPath, done);
  return done;
}

/**
 * Settles a rotation a crash interrupted (config.json holds both keys): confirm the new key; if
 * the server refuses it, fall back to the previous key when that one still works. Network errors
 * leave config.json as it is (the next start tries again).
 */
export async function finishRotation(configPath: string, config: Config, f?: typeof fetch): Promise<Config> {
  if (!config.previousApiKey) return config;
  try {
    return await confirm(configPath, config, f);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
  }
  await client(config, config.previousApiKey, f).call(heartbeatRoutes.heartbeat, { body: {}, headers: clockHeaders() });
  const back: Config = { ...config, apiKey: config.previousApiKey };
  delete back.previousApiKey;
  await saveConfig(configPath, back);
  return back;
}
