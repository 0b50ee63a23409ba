/** Play leases (POST/GET /api/sync/leases, POST /api/sync/leases/release) and key rotation routes. */
import { keyRotationRoutes, leaseRoutes } from '@retrosync/api';
import type { RouteModule } from '../app-deps.js';
import { toIso } from '../db/schema.js';
import { ok, registerRoute } from '../http/register-route.js';

export const leaseRouteModule: RouteModule = (app, { leases, clock }) => {
  registerRoute(app, leaseRoutes.claim, async ({ auth, body }) => ({
    leases: await leases.claim(auth.device, body.keys, body.reason),
    serverTime: toIso(clock.now()),
  }));

  registerRoute(app, leaseRoutes.release, async ({ auth, body }) => ({ released: await leases.release(auth.device, body?.keys) }));

  registerRoute(app, leaseRoutes.list, async ({ auth }) => ({
    leases: await leases.list(auth.userId, auth.kind === 'device' ? auth.deviceId : null),
    serverTime: toIso(clock.now()),
  }));
};

export const keyRotationRouteModule: RouteModule = (app, { keyRotation, devices }) => {
  registerRoute(app, keyRotationRoutes.rotate, async ({ auth }) =>
    ok(await keyRotation.begin(auth.device), { message: 'Store the new key, then call POST /api/devices/key/confirm with it', status: 201 }),
  );

  registerRoute(app, keyRotationRoutes.confirm, async ({ auth }) => ok(await keyRotation.confirmed(auth.device), { message: 'This key is now the device key; the old one no longer works' }));

  registerRoute(app, keyRotationRoutes.request, async ({ auth, body }) => {
    const keyRotationState = await keyRotation.request(auth.userId, body.deviceId);
    const device = devices.toWire(await devices.owned(auth.userId, body.deviceId));
    return ok({ device, keyRotation: keyRotationState }, { message: 'The device gets a new key the next time it talks to the server' });
  });

  registerRoute(app, keyRotationRoutes.state, async ({ auth, query }) => keyRotation.state(auth.userId, query.deviceId));
};
