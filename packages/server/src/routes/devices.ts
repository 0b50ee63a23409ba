import { deviceRoutes } from '@retrosync/api';
import type { RouteModule } from '../app-deps.js';
import { requestMeta } from '../account/audit.js';
import { ok, registerRoute } from '../http/register-route.js';

export const deviceRouteModule: RouteModule = (app, { pairing, devices, presence, config, audit, db, webhooks }) => {
  registerRoute(app, deviceRoutes.createPairingCode, async ({ auth }) => pairing.createUserCode(auth.userId));

  registerRoute(app, deviceRoutes.pair, async ({ body, ip, req }) => {
    const paired = await pairing.pair(body, ip);
    const { device } = paired;
    await audit.record({ userId: paired.userId, event: 'device_paired', ...requestMeta(req), detail: { deviceId: device.id, deviceName: device.name, deviceType: device.deviceType, flow: 'code' } });
    await webhooks.outbox.emit(db, paired.userId, { type: 'device.paired', data: { deviceId: device.id, deviceName: device.name, deviceType: device.deviceType } });
    return ok(paired, { message: 'Device paired; store the API key, it is shown once' });
  });

  // Without a configured public URL, the link (and its QR) uses the address the device reached us at,
  // so a phone on the same network can open it (a bad Host header falls back to the configured URL).
  registerRoute(app, deviceRoutes.requestDeviceCode, async ({ body, ip, req }) => {
    const host = req.headers.host;
    const origin = !config.discovery.publicUrlSet && host && /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host) ? `http://${host}` : undefined;
    return pairing.requestDeviceCode(body, ip, origin);
  });

  registerRoute(app, deviceRoutes.linkDeviceCode, async ({ auth, body, ip, req }) => {
    const device = await pairing.link(auth.userId, body.code, ip);
    await audit.record({ userId: auth.userId, event: 'device_paired', ...requestMeta(req), detail: { deviceId: device.id, deviceName: device.name, deviceType: device.deviceType, flow: 'device-code' } });
    await webhooks.outbox.emit(db, auth.userId, { type: 'device.paired', data: { deviceId: device.id, deviceName: device.name, deviceType: device.deviceType } });
    return { device };
  });

  registerRoute(app, deviceRoutes.deviceCodeStatus, async ({ body }) => pairing.status(body.pollToken));

  registerRoute(app, deviceRoutes.list, async ({ auth, query }) => {
    const list = await devices.list(auth.userId, query.includeRevoked ?? false);
    return { devices: list, count: list.length };
  });

  registerRoute(app, deviceRoutes.remove, async ({ auth, query, req }) => {
    const removed = await devices.revoke(auth.userId, query.deviceId);
    await presence.removed(auth.userId, query.deviceId);
    await audit.record({ userId: auth.userId, event: 'device_removed', ...requestMeta(req), detail: { deviceId: removed.id, deviceName: removed.name } });
    await webhooks.outbox.emit(db, auth.userId, { type: 'device.removed', data: { deviceId: removed.id, deviceName: removed.name, deviceType: removed.device_type } });
    return ok({ deviceId: query.deviceId, revoked: true as const }, { message: 'Device removed; its API key no longer works' });
  });

  registerRoute(app, deviceRoutes.rename, async ({ auth, body }) => ({ device: await devices.rename(auth.userId, body.deviceId, body.name) }));
};
