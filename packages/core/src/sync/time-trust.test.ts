import { describe, expect, it } from 'vitest';
import { CLOCK_JUMP_MS, JUMP_HOLD_MS, PLAUSIBLE_FLOOR_MS, judgeEditTime, parseTimeTrust, type DeviceTimeState, type EditTimeInput } from './time-trust.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const MIN = 60_000;

const input = (o: Partial<EditTimeInput> = {}): EditTimeInput => ({
  receivedAt: NOW,
  clientTime: NOW,
  fileMtime: NOW - 5 * MIN,
  boot: 'boot-1',
  claim: null,
  previous: null,
  ...o,
});
const prev = (o: Partial<DeviceTimeState> = {}): DeviceTimeState => ({ offsetMs: 0, seenAt: NOW - 3_600_000, boot: 'boot-1', jumpAt: null, jumpBoot: null, ...o });

// name, input, trusted, reasons
const cases: Array<[string, EditTimeInput, boolean, string[]]> = [
  ['a PC with a good clock', input(), true, []],
  ['no clock headers at all (v1 client): judged by nothing, trusted', input({ clientTime: null, fileMtime: null, boot: null }), true, []],
  ['a clock an hour ahead, steady since the last write', input({ clientTime: NOW + 3_600_000, fileMtime: NOW + 3_500_000, previous: prev({ offsetMs: 3_600_000 }) }), true, []],
  ['device clock reads 1970 (RTC-less handheld after a reboot)', input({ clientTime: 120_000, fileMtime: 60_000 }), false, ['before_floor']],
  ['device clock reads 2000', input({ clientTime: Date.UTC(2000, 0, 1, 0, 5), fileMtime: Date.UTC(2000, 0, 1) }), false, ['before_floor']],
  ['file time before 2020 on a good clock', input({ fileMtime: PLAUSIBLE_FLOOR_MS - 1 }), false, ['before_floor']],
  ['1970 clock but the client observed the edit in this boot', input({ clientTime: 120_000, fileMtime: 60_000, claim: 'observed' }), true, []],
  ['client says its clock went back', input({ claim: 'untrusted' }), false, ['client_untrusted']],
  ['file time more than 5 min after the device clock', input({ fileMtime: NOW + 5 * MIN + 1 }), false, ['file_ahead_of_clock']],
  ['file time 5 min after the device clock exactly is tolerated', input({ fileMtime: NOW + 5 * MIN }), true, []],
  ['file ahead of the clock is not lifted by observed', input({ fileMtime: NOW + 6 * MIN, claim: 'observed' }), false, ['file_ahead_of_clock']],
  ['offset jumped back by more than 10 min since the last write', input({ previous: prev({ offsetMs: CLOCK_JUMP_MS + 1 }) }), false, ['clock_jump']],
  ['offset jumped forward by more than 10 min', input({ previous: prev({ offsetMs: -CLOCK_JUMP_MS - 1 }) }), false, ['clock_jump']],
  ['offset moved exactly 10 min: not a jump', input({ previous: prev({ offsetMs: CLOCK_JUMP_MS }) }), true, []],
  ['a jump lifted by observed', input({ previous: prev({ offsetMs: 3_600_000 }), claim: 'observed' }), true, []],
  ['a jump seen earlier in this boot still taints', input({ previous: prev({ jumpAt: NOW - 20 * MIN, jumpBoot: 'boot-1' }) }), false, ['clock_jump']],
  ['a jump seen in an earlier boot does not', input({ boot: 'boot-2', previous: prev({ jumpAt: NOW - 20 * MIN, jumpBoot: 'boot-1' }) }), true, []],
  ['a jump older than the hold does not', input({ previous: prev({ jumpAt: NOW - JUMP_HOLD_MS - 1, jumpBoot: 'boot-1' }) }), true, []],
  ['no boot token: a jump within the hold taints', input({ boot: null, previous: prev({ boot: null, jumpAt: NOW - 20 * MIN, jumpBoot: null }) }), false, ['clock_jump']],
  [
    'several reasons at once',
    input({ clientTime: 120_000, fileMtime: 120_000 + 6 * MIN, claim: 'untrusted', previous: prev() }),
    false,
    ['client_untrusted', 'before_floor', 'file_ahead_of_clock', 'clock_jump'],
  ],
];

describe('judgeEditTime', () => {
  it.each(cases)('%s', (_name, i, trusted, reasons) => {
    const j = judgeEditTime(i);
    expect(j.trusted).toBe(trusted);
    expect(j.reasons).toEqual(reasons);
  });

  it('records the new offset, and the jump with its boot', () => {
    const j = judgeEditTime(input({ clientTime: NOW + 3_600_000, fileMtime: NOW, previous: prev() }));
    expect(j.next).toEqual({ offsetMs: 3_600_000, seenAt: NOW, boot: 'boot-1', jumpAt: NOW, jumpBoot: 'boot-1' });
    const later = judgeEditTime(input({ receivedAt: NOW + MIN, clientTime: NOW + MIN + 3_600_000, fileMtime: NOW, previous: j.next }));
    expect(later.reasons).toEqual(['clock_jump']); // same boot, within the hold
    expect(later.next).toEqual({ offsetMs: 3_600_000, seenAt: NOW + MIN, boot: 'boot-1', jumpAt: NOW, jumpBoot: 'boot-1' });
  });

  it('keeps the stored state when the request carries no device clock', () => {
    const p = prev();
    expect(judgeEditTime(input({ clientTime: null, previous: p })).next).toBeNull();
  });

  it.each([
    ['observed', 'observed'],
    [' Untrusted ', 'untrusted'],
    ['', null],
    [undefined, null],
  ])('parseTimeTrust(%j) = %j', (raw, expected) => {
    expect(parseTimeTrust(raw)).toBe(expected);
  });

  it('parseTimeTrust rejects anything else', () => {
    expect(() => parseTimeTrust('maybe')).toThrow(/observed|untrusted/);
  });
});
