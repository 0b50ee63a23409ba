/**
 * A real RetroSync server for the RetroArch tests: the e2e harness's server (SQLite, blob
 * folder, random port) plus helpers to pair a RetroArch device and a handheld.
 */
import { authRoutes, createApiClient, deviceRoutes } from '@retrosync/api';
import { startServer, type RunningServer } from '../client/harness.js';

export interface DavServer extends RunningServer {
  /** Pairs a device the way the dashboard's "Add RetroArch" flow does; returns its id and API key. */
  pair(name: string, type?: 'linux' | 'windows' | 'mac' | 'other' | 'miyoo_mini'): Promise<{ id: string; apiKey: string }>;
}

export async function startDavServer(): Promise<DavServer> {
  const server = await startServer();
  const anon = createApiClient({ baseUrl: server.url, credentials: 'omit' });
  return {
    ...server,
    async pair(name, type = 'linux') {
      const code = await server.pairingCode();
      const paired = await anon.call(deviceRoutes.pair, { body: { code, deviceName: name, deviceType: type } });
      return { id: paired.device.id, apiKey: paired.apiKey };
    },
  };
}
export { authRoutes };
