import { describe, expect, it } from 'vitest';
import { clockFromEnv } from './clock.js';

describe('the server clock', () => {
  it('honours RETROSYNC_TEST_CLOCK_OFFSET_MS (the loss harness runs a server days ahead)', () => {
    const day = 86_400_000;
    const ahead = clockFromEnv({ RETROSYNC_TEST_CLOCK_OFFSET_MS: String(91 * day) }).now() - Date.now();
    expect(Math.abs(ahead - 91 * day)).toBeLessThan(1000);
    const behind = clockFromEnv({ RETROSYNC_TEST_CLOCK_OFFSET_MS: '-60000' }).now() - Date.now();
    expect(Math.abs(behind + 60_000)).toBeLessThan(1000);
    expect(Math.abs(clockFromEnv({}).now() - Date.now())).toBeLessThan(1000);
    // File-system ages stay on the OS clock (a blob written now is not 91 days old).
    expect(clockFromEnv({ RETROSYNC_TEST_CLOCK_OFFSET_MS: String(91 * day) }).skewMs).toBe(91 * day);
  });

  it('refuses an offset that is not a whole number', () => {
    expect(() => clockFromEnv({ RETROSYNC_TEST_CLOCK_OFFSET_MS: 'soon' })).toThrow(/RETROSYNC_TEST_CLOCK_OFFSET_MS/);
  });
});
