import { describe, expect, it } from 'vitest';
import { formatBytes, formatCountdown, formatDuration, formatRelative, groupCode, toDate } from './format';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KB'],
    [1536, '1.50 KB'],
    [10 * 1024 * 1024, '10.0 MB'],
    [100 * 1024 * 1024, '100 MB'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('%s bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2026-01-10T12:00:00Z');
  it.each([
    [null, 'never'],
    ['not a date', 'never'],
    ['2026-01-10T11:59:30Z', 'just now'],
    ['2026-01-10T11:55:00Z', '5 min ago'],
    ['2026-01-10T09:00:00Z', '3 h ago'],
    ['2026-01-09T12:00:00Z', '1 day ago'],
    ['2026-01-07T12:00:00Z', '3 days ago'],
    ['2025-12-01T12:00:00Z', '2025-12-01'],
    ['2026-01-10T12:00:20Z', 'just now'],
  ])('%s → %s', (value, text) => {
    expect(formatRelative(value, now)).toBe(text);
  });
});

describe('formatCountdown', () => {
  it.each([
    [900, '15:00'],
    [61, '1:01'],
    [9.9, '0:09'],
    [-5, '0:00'],
    [3725, '1:02:05'],
  ])('%s s → %s', (seconds, text) => {
    expect(formatCountdown(seconds)).toBe(text);
  });
});

describe('small helpers', () => {
  it('formats durations by their largest unit', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(600)).toBe('10 min');
    expect(formatDuration(7200)).toBe('2 h');
    expect(formatDuration(3 * 86_400)).toBe('3 days');
  });
  it('groups six-digit codes in threes and leaves others alone', () => {
    expect(groupCode('123456')).toBe('123 456');
    expect(groupCode('123456789012')).toBe('1234 5678 9012');
    expect(groupCode('ABCD')).toBe('ABCD');
  });
  it('parses dates from strings, numbers and dates', () => {
    expect(toDate(0)?.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(toDate(new Date('2026-01-01T00:00:00Z'))?.getUTCFullYear()).toBe(2026);
    expect(toDate(undefined)).toBeNull();
  });
});
