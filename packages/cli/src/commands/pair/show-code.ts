/** Device-shown pairing: ask for a code, show it, poll until the dashboard links it. */
import { ApiError, deviceRoutes, type ApiClient, type DeviceType } from '@retrosync/api';
import type { Io } from '../../cli/io.js';

export async function waitForLink(
  api: ApiClient,
  body: { deviceName: string; deviceType: DeviceType },
  io: Io,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<{ device: { id: string; name: string }; apiKey: string }> {
  const shown = await api.call(deviceRoutes.requestDeviceCode, { body });
  io.err(`Enter this code in the dashboard (Devices → Link a device): ${shown.code}`);
  io.err(`or open ${shown.linkUrl}  — waiting until ${shown.expiresAt} …`);
  for (;;) {
    await sleep(Math.max(1, shown.pollIntervalSeconds) * 1000);
    const st = await api.call(deviceRoutes.deviceCodeStatus, { body: { pollToken: shown.pollToken } });
    if (st.status === 'paired') return st;
    if (Date.parse(st.expiresAt) < Date.now()) throw new ApiError('code_expired');
  }
}
