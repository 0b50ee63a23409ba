/**
 * A real RetroSync server for the RetroArch tests (SQLite, blob folder, random port, real
 * clock) with a signed-in user, and the calls the scenarios need: pair a device the way the
 * dashboard's "Add RetroArch" flow does, read a save's head and versions, restore a version.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authRoutes, createApiClient, deviceRoutes, saveRoutes } from '@retrosync/api';
import { encodeSaveKeyPath } from '@retrosync/core';
import { buildApp, loadConfig, openDatabase } from '@retrosync/server';

export interface DavServer {
  url: string;
  dataDir: string;
  pairingCode(): Promise<string>;
  pair(name: string, type?: 'linux' | 'windows' | 'mac' | 'other' | 'miyoo_mini'): Promise<{ id: string; apiKey: string }>;
  /** The head's bytes, or null when the save does not exist or its head is a deletion. */
  head(key: string, apiKey: string): Promise<Buffer | null>;
  versions(key: string, apiKey: string): Promise<Array<{ version: number; sha256: string; deleted: boolean; conflict: boolean; head: boolean }>>;
  restore(key: string, version: number): Promise<void>;
  close(): Promise<void>;
}

const SECRET = 'e2e-secret-e2e-secret-e2e-secret-0123456789';

export async function startDavServer(): Promise<DavServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rs-e2e-dav-'));
  const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: SECRET, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' });
  const opened = await openDatabase(config.database);
  const app = await buildApp({ config, db: opened.db, dialect: opened.dialect, jwtSecret: SECRET, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const anon = createApiClient({ baseUrl: url, credentials: 'omit' });
  const session = await anon.call(authRoutes.register, { body: { email: `player-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Player' } });
  const user = anon.with({ token: session.token });
  const pairingCode = async () => (await user.call(deviceRoutes.createPairingCode, {})).code;
  return {
    url,
    dataDir,
    pairingCode,
    async pair(name, type = 'linux') {
      const paired = await anon.call(deviceRoutes.pair, { body: { code: await pairingCode(), deviceName: name, deviceType: type } });
      return { id: paired.device.id, apiKey: paired.apiKey };
    },
    async head(key, apiKey) {
      const res = await fetch(`${url}/api/sync/saves/${encodeSaveKeyPath(key)}`, { headers: { 'x-api-key': apiKey } });
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`head ${key}: HTTP ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
    async versions(key, apiKey) {
      const res = await fetch(`${url}/api/sync/versions/${encodeSaveKeyPath(key)}`, { headers: { 'x-api-key': apiKey } });
      if (!res.ok) throw new Error(`versions ${key}: HTTP ${res.status}`);
      return ((await res.json()) as { data: { versions: never[] } }).data.versions;
    },
    async restore(key, version) {
      await user.call(saveRoutes.restore, { body: { key, version } });
    },
    async close() {
      await app.close();
      await opened.close();
    },
  };
}

