import { describe, expect, it } from 'vitest';
import { BlankDetector, isBlankSave } from './blank.js';

describe('blank saves', () => {
  it.each([
    ['empty', [], true],
    ['all 0x00', [0, 0, 0, 0], true],
    ['all 0xFF', [0xff, 0xff], true],
    ['one real byte', [0, 0, 1, 0], false],
    ['0x00 then 0xFF (not one fill)', [0, 0xff], false],
    ['a real first byte', [0x42], false],
  ])('%s', (_n, bytes, expected) => {
    expect(isBlankSave(Uint8Array.from(bytes as number[]))).toBe(expected);
  });

  it('judges across chunks: a fill that changes between chunks is not blank', () => {
    const d = new BlankDetector();
    d.update(new Uint8Array(1024).fill(0xff));
    d.update(new Uint8Array(0));
    expect(d.blank).toBe(true);
    d.update(new Uint8Array(8));
    expect(d.blank).toBe(false);
    d.update(new Uint8Array(8).fill(0xff));
    expect(d.blank).toBe(false);
  });
});
