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

  // Found by bench:fleet: with 10,000 devices checking in on every replica the cache reached its
  // size bound every few seconds and forgot everything, so nearly every request went to the
  // database. A full cache now forgets its oldest entry only.
  it('a full cache forgets its oldest entry, not every device', () => {
    const clock = new ManualClock(0);
    const cache = new DeviceKeyCache(clock, 60_000, 3);
    for (const id of ['a', 'b', 'c']) cache.set(`h-${id}`, row(id, 'u1'));
    cache.set('h-a', row('a', 'u1')); // refreshed: now the newest
    cache.set('h-d', row('d', 'u1'));
    expect(cache.get('h-b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((id) => cache.get(`h-${id}`)?.id)).toEqual(['a', 'c', 'd']);
    cache.forgetDevice('b'); // its reverse index went with it: nothing left to find
    cache.patch('b', { name: 'ghost' });
    expect(cache.get('h-b')).toBeUndefined();
  });

  // With entries living minutes, a row read before a removal committed must not be cached after
  // the removal's notice: the key would work on that replica until the entry expired.
  it('drops a row read before something was forgotten', () => {
    const cache = new DeviceKeyCache(new ManualClock(0));
    const readStarted = cache.generation;
    cache.forgetDevice('a'); // the removal's notice arrives while the read is in flight
    cache.set('h-a', row('a', 'u1'), readStarted);
    expect(cache.get('h-a')).toBeUndefined();
    cache.set('h-a', row('a', 'u1'), cache.generation);
    expect(cache.get('h-a')?.id).toBe('a');
  });
});
