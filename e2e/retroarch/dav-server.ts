/**
 * A real RetroSync server for the RetroArch tests (SQLite, blob folder, random port, real
 * clock) with a signed-in user, and the calls the scenarios need: pair a device the way the
 * dashboard's "Add RetroArch" flow does, read a save's head and versions, restore a version.
 */
import { createApiClient, deviceRoutes, saveRoutes } from '@retrosync/api';
import { encodeSaveKeyPath } from '@retrosync/core';
import { startServer } from '../client/harness.js';

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

export async function startDavServer(): Promise<DavServer> {
  const server = await startServer();
  const { url, user } = server;
  const anon = createApiClient({ baseUrl: url, credentials: 'omit' });
  return {
    url,
    dataDir: server.dataDir,
    pairingCode: () => server.pairingCode(),
    async pair(name, type = 'linux') {
      const paired = await anon.call(deviceRoutes.pair, { body: { code: await server.pairingCode(), deviceName: name, deviceType: type } });
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
    close: () => server.close(),
  };
}

