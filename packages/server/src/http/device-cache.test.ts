import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import type { DeviceRow } from '../db/schema.js';
import { DeviceKeyCache } from './device-cache.js';

const row = (id: string, user: string): DeviceRow => ({
  id,
  user_id: user,
  name: id,
  device_type: 'other',
  api_key_hash: `h-${id}`,
  created_at: 0,
  last_sync_at: null,
  last_heartbeat_at: null,
  client_version: null,
  platform: null,
  clock_offset_ms: null,
  revoked_at: null,
});

describe('DeviceKeyCache', () => {
  it('expires entries after the TTL, patches and forgets by device and by user', () => {
    const clock = new ManualClock(0);
    const cache = new DeviceKeyCache(clock, 5000);
    cache.set('h-a', row('a', 'u1'));
    cache.set('h-b', row('b', 'u1'));
    cache.set('h-c', row('c', 'u2'));
    cache.patch('a', { name: 'renamed' });
    expect(cache.get('h-a')?.name).toBe('renamed');
    cache.forgetDevice('a');
    expect(cache.get('h-a')).toBeUndefined();
    cache.forgetUser('u1');
    expect(cache.get('h-b')).toBeUndefined();
    expect(cache.get('h-c')?.id).toBe('c');
    clock.advance(5000);
    expect(cache.get('h-c')).toBeUndefined();
  });
});
