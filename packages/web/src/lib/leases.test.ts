import { describe, expect, it } from 'vitest';
import { formatSince, inUseText, leaseKeyId } from './leases';

describe('play lease display', () => {
  it('matches a lease to its save the way the server compares keys (NFC, case, white space)', () => {
    expect(leaseKeyId('gba/Pokémon  Emerald/battery')).toBe(leaseKeyId('gba/POKE\u0301MON Emerald/battery'));
    expect(leaseKeyId('gba/Golden Sun/battery')).not.toBe(leaseKeyId('gba/Golden Sun/state/mgba/1'));
  });

  it('shows the time alone today and the day too on another day', () => {
    const now = new Date(2026, 11, 2, 15, 0);
    const today = new Date(2026, 11, 2, 14, 2).toISOString();
    const yesterday = new Date(2026, 11, 1, 23, 50).toISOString();
    expect(formatSince(today, now)).toMatch(/^(14:02|02:02\s?PM)$/);
    expect(formatSince(yesterday, now)).toMatch(/^1 Dec(\.|) (23:50|11:50\s?PM)$|^Dec 1 (23:50|11:50\s?PM)$/);
    expect(inUseText({ deviceName: 'RG35XX+', since: today })).toMatch(/^In use on RG35XX\+ since /);
  });
});
