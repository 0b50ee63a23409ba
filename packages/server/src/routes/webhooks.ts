/** /api/webhooks: the account's webhooks (webhooks/webhook-service.ts). Changes go to the audit log. */
import { webhookRoutes } from '@retrosync/api';
import type { FastifyRequest } from 'fastify';
import type { RouteModule } from '../app-deps.js';
import { requestMeta } from '../account/audit.js';
import { ok, registerRoute } from '../http/register-route.js';

export const webhookRouteModule: RouteModule = (app, { webhooks, audit }) => {
  const { service } = webhooks;
  // The log keeps only the URL's origin: paths of chat webhooks carry their own secret tokens.
  const changed = (req: FastifyRequest, userId: string, webhookId: string, change: string, url: string) =>
    audit.record({ userId, event: 'webhook_changed', ...requestMeta(req), detail: { webhookId, change, url: new URL(url).origin } });

  registerRoute(app, webhookRoutes.list, async ({ auth }) => ({ webhooks: await service.list(auth.userId), events: [...service.events], policy: service.policy }));

  registerRoute(app, webhookRoutes.create, async ({ auth, body, req }) => {
    const created = await service.create(auth.userId, body);
    await changed(req, auth.userId, created.webhook.id, 'created', created.webhook.url);
    return ok(created, { message: 'Webhook added; copy its secret now, it is not shown again' });
  });

  registerRoute(app, webhookRoutes.update, async ({ auth, params, body, req }) => {
    const { webhook, changes } = await service.update(auth.userId, params.webhookId, body);
    for (const change of changes) await changed(req, auth.userId, webhook.id, change, webhook.url);
    return { webhook };
  });

  registerRoute(app, webhookRoutes.remove, async ({ auth, params, req }) => {
    const removed = await service.remove(auth.userId, params.webhookId);
    await changed(req, auth.userId, removed.id, 'deleted', removed.url);
    return { webhookId: removed.id, deleted: true as const };
  });

  registerRoute(app, webhookRoutes.regenerateSecret, async ({ auth, params, req }) => {
    const result = await service.regenerateSecret(auth.userId, params.webhookId);
    await changed(req, auth.userId, result.webhook.id, 'secret_regenerated', result.webhook.url);
    return ok(result, { message: 'New secret made; the old one no longer signs deliveries' });
  });

  registerRoute(app, webhookRoutes.test, async ({ auth, params }) => ({ eventId: await service.sendTest(auth.userId, params.webhookId) }));

  registerRoute(app, webhookRoutes.deliveries, async ({ auth, params, query }) => service.deliveries(auth.userId, params.webhookId, query.limit ?? 50));
};
