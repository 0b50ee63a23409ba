/** A simulated handheld talking to the API through the shared typed client. */
import { createHash } from 'node:crypto';
import { createApiClient, deviceRoutes, heartbeatRoutes, syncLogRoutes, syncSaveRoutes, type ApiClient, type CallInput, type DeviceType } from '@retrosync/api';

export interface SimDevice {
  id: string;
  name: string;
  api: ApiClient;
  heartbeat(): Promise<void>;
  /** Uploads a save and, when it was taken, logs the upload as the real clients do. */
  upload(key: string, bytes: Uint8Array, options: { base?: number; mtime: number }): Promise<{ outcome: string; version: number }>;
  log(action: 'upload' | 'download' | 'delete' | 'conflict', filePath: string, fileSize?: number): Promise<void>;
  /** Sends a deletion of a save this device had in sync at `base`. */
  remove(key: string, base: number): Promise<{ outcome: string; version: number }>;
}

function simDevice(id: string, name: string, api: ApiClient): SimDevice {
  return {
    id,
    name,
    api,
    async heartbeat() {
      await api.call(heartbeatRoutes.heartbeat, { body: { clientVersion: 'e2e-1.0' }, headers: { 'x-client-time': new Date().toISOString() } });
    },
    async log(action, filePath, fileSize) {
      await api.call(syncLogRoutes.create, { body: fileSize === undefined ? { action, filePath } : { action, filePath, fileSize } });
    },
    async upload(key, bytes, { base, mtime }) {
      const headers: Record<string, string> = {
        'content-type': 'application/octet-stream',
        'x-content-sha256': createHash('sha256').update(bytes).digest('hex'),
        'x-file-mtime': String(mtime),
        'x-client-time': new Date().toISOString(),
      };
      if (base !== undefined) headers['x-base-version'] = String(base);
      // The contract types no body for raw-byte routes; the client sends `body` as given.
      const input = { params: { '*': key }, body: bytes, headers } as unknown as CallInput<typeof syncSaveRoutes.upload>;
      const result = await api.call(syncSaveRoutes.upload, input);
      // Like the real clients, the device records what it did in the sync log.
      if (result.outcome === 'accepted' || result.outcome === 'conflict_won') {
        await api.call(syncLogRoutes.create, { body: { action: 'upload', filePath: key, fileSize: bytes.byteLength } });
      }
      return { outcome: result.outcome, version: result.stored.version };
    },
    async remove(key, base) {
      const headers = { 'x-base-version': String(base), 'x-client-time': new Date().toISOString() };
      const result = await api.call(syncSaveRoutes.delete, { params: { '*': key }, headers } as CallInput<typeof syncSaveRoutes.delete>);
      return { outcome: result.outcome, version: result.stored.version };
    },
  };
}

/** Pairing code flow: the user shows a code, the device types it. */
export async function pairDevice(baseUrl: string, code: string, deviceName: string, deviceType: DeviceType): Promise<SimDevice> {
  const anonymous = createApiClient({ baseUrl });
  const paired = await anonymous.call(deviceRoutes.pair, { body: { code, deviceName, deviceType } });
  return simDevice(paired.device.id, paired.device.name, anonymous.with({ apiKey: paired.apiKey }));
}

/**
 * Device-shown code flow: the device asks for a code to display; once the user has linked
 * it in the dashboard, `collect()` receives the API key (exactly once).
 */
export async function requestShownCode(
  baseUrl: string,
  deviceName: string,
  deviceType: DeviceType,
): Promise<{ code: string; collect(): Promise<SimDevice | null> }> {
  const anonymous = createApiClient({ baseUrl });
  const shown = await anonymous.call(deviceRoutes.requestDeviceCode, { body: { deviceName, deviceType } });
  return {
    code: shown.code,
    async collect() {
      const status = await anonymous.call(deviceRoutes.deviceCodeStatus, { body: { pollToken: shown.pollToken } });
      if (status.status !== 'paired') return null;
      return simDevice(status.device.id, status.device.name, anonymous.with({ apiKey: status.apiKey }));
    },
  };
}
