import { describe, expect, it } from 'vitest';
import { clockOffsetMs, correctedTimeMs, parseTimeHeader } from './clock.js';

describe('clock correction', () => {
  it('removes a device clock that is an hour ahead', () => {
    const server = Date.UTC(2026, 0, 1, 12);
    const offset = clockOffsetMs(server + 3_600_000, server);
    expect(offset).toBe(3_600_000);
    expect(correctedTimeMs(server + 3_600_000 - 60_000, offset, server)).toBe(server - 60_000);
  });

  it('corrects a handheld that believes it is 1970', () => {
    const server = Date.UTC(2026, 5, 1);
    const offset = clockOffsetMs(120_000, server); // the device has been up two minutes since epoch
    expect(correctedTimeMs(60_000, offset, server)).toBe(server - 60_000);
  });

  it('never places a file after the request arrived', () => {
    const server = 1_000_000;
    expect(correctedTimeMs(5_000_000, 0, server)).toBe(server);
  });

  it.each([
    ['1700000000000', 1_700_000_000_000],
    [' 1700000000000 ', 1_700_000_000_000],
    ['1700000000000.6', 1_700_000_000_001],
    ['2026-01-02T03:04:05.006Z', Date.UTC(2026, 0, 2, 3, 4, 5, 6)],
    ['2026-01-02T03:04:05+01:00', Date.UTC(2026, 0, 2, 2, 4, 5)],
    ['', null],
    ['yesterday', null],
    ['Tue, 01 Jan 2026 00:00:00 GMT', null],
    ['2026-13-45T99:00:00Z', null],
    [undefined, null],
  ])('parseTimeHeader(%j) = %j', (input, expected) => {
    expect(parseTimeHeader(input)).toBe(expected);
  });
});
