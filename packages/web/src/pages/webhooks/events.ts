import type { WebhookEventType } from '@retrosync/api';

/** How the dashboard names each webhook event. */
export const EVENT_LABELS: Record<WebhookEventType, string> = {
  'save.uploaded': 'Save uploaded',
  'save.conflict': 'Conflict',
  'device.paired': 'Device paired',
  'device.removed': 'Device removed',
};

export function eventLabel(type: string): string {
  if (type === 'webhook.test') return 'Test event';
  return EVENT_LABELS[type as WebhookEventType] ?? type;
}
