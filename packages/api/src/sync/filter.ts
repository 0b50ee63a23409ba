/**
 * Selective sync contracts: a device's filter (which systems and games sync, whether save states
 * do), read and set by the device itself (`/api/sync/filter`, its API key) and by its owner in the
 * dashboard (`/api/devices/filter`). The rule itself lives once in packages/core/src/filter.
 */
import { z } from 'zod';
import { defineRoute } from '../contract.js';
import { isoDate } from '../schemas.js';

export const syncFilter = z
  .object({
    systemMode: z.enum(['all', 'only', 'except']).describe('all systems, only the listed ones, or all except the listed ones'),
    systems: z.array(z.string().max(32)).max(500).describe('canonical system ids, e.g. gba, snes'),
    includeGames: z.array(z.string().max(300)).max(500).describe('"<system>/<game>": synced even when their system is not'),
    excludeGames: z.array(z.string().max(300)).max(500).describe('"<system>/<game>": never synced'),
    states: z.boolean().describe('whether save states sync (they only work between devices running the same core)'),
  })
  .describe('A device\'s selective-sync filter. A state with states=false never syncs; then a game in excludeGames never syncs; a game in includeGames syncs; then systemMode decides.');
export type SyncFilterWire = z.infer<typeof syncFilter>;

export const deviceFilterView = z.object({
  deviceId: z.string(),
  filter: syncFilter,
  /** Changes whenever the filter changes (a position in the user's change feed; 0 = never set). */
  revision: z.number().int().min(0),
  updatedAt: isoDate.nullable(),
  updatedBy: z.enum(['user', 'device']).nullable(),
  summary: z.string().describe('the filter in words, e.g. "only gba, snes; states off"'),
  knownSystems: z.array(z.string()).describe('system ids to choose from: every system RetroSync knows, plus those of your saves'),
  savedSystems: z.array(z.string()).describe('the systems your saves are of (what a person usually picks from)'),
});
export type DeviceFilterView = z.infer<typeof deviceFilterView>;

const FILTER_RULES =
  'Excluding is never deleting: an excluded save stays on the server and on every device that has it; the ' +
  'device neither downloads it nor uploads it (uploads and downloads of it by the device answer 409 ' +
  '`save_excluded`). The change feed, its long poll and the event stream of the device leave excluded saves ' +
  'out. A change takes effect at the device\'s next pass: its next feed read returns everything the new filter ' +
  'includes (cursor reset), without re-pairing. A client may keep its own local filter too; a save then syncs ' +
  'only when both include it.';

const EXAMPLE_FILTER = { systemMode: 'only', systems: ['gba'], includeGames: [], excludeGames: [], states: false } as const;

export const syncFilterRoutes = {
  get: defineRoute({
    id: 'sync.filter.get',
    method: 'GET',
    path: '/api/sync/filter',
    auth: 'device',
    summary: "This device's selective-sync filter",
    description:
      FILTER_RULES +
      ' TSV (`?format=tsv` or `Accept: text/tab-separated-values`), for busybox clients: lines `system_mode<TAB>all|only|except`, ' +
      '`states<TAB>true|false`, `system<TAB><id>` per system, `include_game<TAB><system>/<game>` and `exclude_game<TAB>…` ' +
      '(each segment percent-encoded), `revision<TAB><N>`.',
    tags: ['sync'],
    query: z.object({ format: z.enum(['json', 'tsv']).optional() }),
    response: deviceFilterView,
    example: {},
  }),
  set: defineRoute({
    id: 'sync.filter.set',
    method: 'PUT',
    path: '/api/sync/filter',
    auth: 'device',
    summary: "Set this device's selective-sync filter (e.g. `retrosync filter`)",
    description: FILTER_RULES + ' A malformed filter is 400 `validation_failed` naming the field.',
    tags: ['sync'],
    body: syncFilter,
    response: deviceFilterView,
    example: { body: EXAMPLE_FILTER },
  }),
};

export const deviceFilterRoutes = {
  get: defineRoute({
    id: 'devices.filter.get',
    method: 'GET',
    path: '/api/devices/filter',
    auth: 'user',
    summary: "A device's selective-sync filter (the device page)",
    tags: ['devices'],
    query: z.object({ deviceId: z.string().min(1).max(64) }),
    response: deviceFilterView,
    errors: ['not_found', 'forbidden'],
    example: { query: { deviceId: '{victimDeviceId}' } },
  }),
  set: defineRoute({
    id: 'devices.filter.set',
    method: 'PUT',
    path: '/api/devices/filter',
    auth: 'user',
    summary: "Set a device's selective-sync filter",
    description: FILTER_RULES + ' A malformed filter is 400 `validation_failed` naming the field.',
    tags: ['devices'],
    body: z.object({ deviceId: z.string().min(1).max(64), filter: syncFilter }),
    response: deviceFilterView,
    errors: ['not_found', 'forbidden'],
    example: { body: { deviceId: '{victimDeviceId}', filter: EXAMPLE_FILTER } },
  }),
};
