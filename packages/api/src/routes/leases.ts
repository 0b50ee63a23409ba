/**
 * Play leases ("in use on RG35XX+ since 14:02") and device key rotation. See docs/protocol.md
 * "Play lease" and "Key rotation".
 */
import { z } from 'zod';
import { defineRoute } from '../contract.js';
import { device, isoDate } from '../schemas.js';
import { leaseReason, playLease } from '../sync/schemas.js';

export const LEASE_TSV_COLUMNS = ['key', 'deviceId', 'deviceName', 'reason', 'since', 'expiresAt', 'held'] as const;

const leaseKeys = z.array(z.string().min(1).max(1024)).min(1).max(32);

export const leaseRoutes = {
  claim: defineRoute({
    id: 'leases.claim',
    method: 'POST',
    path: '/api/sync/leases',
    auth: 'device',
    summary: 'Claim (or renew) the play lease on saves this device is writing or has launched',
    description:
      'A device claims a save when its daemon sees the save change (`reason: write`) or a launcher hook reports ' +
      'the game starting (`launch`). A free or expired lease (or one this device holds) becomes this device\'s ' +
      '(`held: true`); a live lease of another device stays with it (`held: false`, `lease` names the holder): ' +
      'warn the player — nothing is refused, uploads are still judged by the conflict rule. TSV ' +
      `(\`?format=tsv\`): ${LEASE_TSV_COLUMNS.join(', ')}.`,
    tags: ['leases'],
    query: z.object({ format: z.enum(['json', 'tsv']).optional() }),
    body: z.object({ keys: leaseKeys, reason: leaseReason.default('write') }),
    response: z.object({ leases: z.array(playLease.extend({ held: z.boolean().describe('true when this device holds it') })), serverTime: isoDate }),
    tsv: { rows: 'leases', columns: LEASE_TSV_COLUMNS },
    errors: ['invalid_key'],
    example: { body: { keys: ['gba/Game/battery'], reason: 'write' } },
  }),
  release: defineRoute({
    id: 'leases.release',
    method: 'POST',
    path: '/api/sync/leases/release',
    auth: 'device',
    summary: "Release this device's leases (the game exited); without keys, all of them",
    tags: ['leases'],
    body: z.object({ keys: leaseKeys.optional() }).optional(),
    response: z.object({ released: z.number().int() }),
    errors: ['invalid_key'],
    example: { body: { keys: ['gba/Game/battery'] } },
  }),
  list: defineRoute({
    id: 'leases.list',
    method: 'GET',
    path: '/api/sync/leases',
    auth: 'user_or_device',
    summary: "The account's live play leases (which saves are in use, on which device, since when)",
    description: `TSV (\`?format=tsv\`): ${LEASE_TSV_COLUMNS.join(', ')} (held: the calling device holds it).`,
    tags: ['leases'],
    query: z.object({ format: z.enum(['json', 'tsv']).optional() }),
    response: z.object({ leases: z.array(playLease.extend({ held: z.boolean() })), serverTime: isoDate }),
    tsv: { rows: 'leases', columns: LEASE_TSV_COLUMNS },
    example: {},
  }),
};

const apiKey = z.string().regex(/^[0-9a-f]{64}$/);

/** A device's key-rotation state, as the dashboard shows it. */
export const keyRotationState = z.object({
  deviceId: z.string(),
  requestedAt: isoDate.nullable().describe('the dashboard asked the device to rotate; null when nothing is asked'),
  pendingSince: isoDate.nullable().describe('a new key was handed to the device and it has not used it yet'),
  rotatedAt: isoDate.nullable().describe('when the key last changed'),
});
export type KeyRotationState = z.infer<typeof keyRotationState>;

export const keyRotationRoutes = {
  rotate: defineRoute({
    id: 'devices.keyRotate',
    method: 'POST',
    path: '/api/devices/key/rotate',
    auth: 'device',
    summary: 'A device asks for a new API key (step 1 of 2; the current key keeps working until the new one is used)',
    description:
      'Returns a new key (shown once). Write it to the device\'s configuration atomically, then call ' +
      '`POST /api/devices/key/confirm` WITH THE NEW KEY: the first request made with the new key makes it the ' +
      'device\'s only key and the old one stops working at once on every replica. Until then both work, so a ' +
      'device that crashes before it stored the new key still has a working key (asking again replaces the ' +
      'unused one). An unused new key lapses after 7 days.',
    tags: ['devices'],
    response: z.object({ deviceId: z.string(), apiKey, pendingUntil: isoDate }),
    successStatus: 201,
    example: {},
  }),
  confirm: defineRoute({
    id: 'devices.keyConfirm',
    method: 'POST',
    path: '/api/devices/key/confirm',
    auth: 'device',
    summary: 'Step 2: called with the new key; the old key has stopped working (on every replica)',
    tags: ['devices'],
    response: keyRotationState,
    example: {},
  }),
  request: defineRoute({
    id: 'devices.requestKeyRotation',
    method: 'POST',
    path: '/api/devices/rotate-key',
    auth: 'user',
    summary: "Ask a device to rotate its API key (dashboard): it does so the next time it talks to the server",
    description:
      'The device learns of it at once over its event stream (`key` event) or at its next check-in ' +
      '(`keyRotation: "requested"` in the heartbeat reply), runs the two steps above without re-pairing, and the ' +
      'old key stops working everywhere as soon as the new one is used. A device that is lost or stolen should be ' +
      'removed instead (DELETE /api/devices), which stops its key at once.',
    tags: ['devices'],
    body: z.object({ deviceId: z.string().min(1).max(64) }),
    response: z.object({ device, keyRotation: keyRotationState }),
    errors: ['not_found', 'forbidden'],
    example: { body: { deviceId: '{victimDeviceId}' } },
  }),
  state: defineRoute({
    id: 'devices.keyRotationState',
    method: 'GET',
    path: '/api/devices/key-rotation',
    auth: 'user',
    summary: "A device's key-rotation state (requested, pending, last rotated)",
    tags: ['devices'],
    query: z.object({ deviceId: z.string().min(1).max(64) }),
    response: keyRotationState,
    errors: ['not_found', 'forbidden'],
    example: { query: { deviceId: '{victimDeviceId}' } },
  }),
};
