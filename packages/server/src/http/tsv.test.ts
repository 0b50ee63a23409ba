import { describe, expect, it } from 'vitest';
import { toTsv } from './tsv.js';

describe('toTsv', () => {
  it('writes a header and escapes tabs, newlines and backslashes; null is empty', () => {
    expect(toTsv([{ a: 'x\ty', b: null, c: true }, { a: 'line\nbreak\\', b: 3, c: false }], ['a', 'b', 'c'])).toBe(
      'a\tb\tc\nx\\ty\t\ttrue\nline\\nbreak\\\\\t3\tfalse\n',
    );
  });
});
