/** The account's security routes: the audit log (and two-factor sign-in, account/two-factor-routes.ts). */
import { auditRoutes } from '@retrosync/api';
import type { RouteModule } from '../app-deps.js';
import { registerRoute } from '../http/register-route.js';

export const auditRouteModule: RouteModule = (app, { audit }) => {
  registerRoute(app, auditRoutes.list, async ({ auth, query }) => {
    const { events, total } = await audit.list(auth.userId, query);
    return { events, total, limit: query.limit, offset: query.offset };
  });
};
