/** The shell client's TSV tables are generated from packages/core/layouts/handheld-layouts.json; fail when stale. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
// @ts-expect-error plain ESM generator script without type declarations
import { OUT, renderTables } from '../tools/gen-tables.mjs';

it('the generated shell tables match packages/core/layouts/handheld-layouts.json', () => {
  const fresh = (renderTables as () => Record<string, string>)();
  for (const [name, file] of Object.entries(OUT as Record<string, string>)) {
    expect(readFileSync(file, 'utf8') === fresh[name], `${name} is stale: run node clients/shell/tools/gen-tables.mjs`).toBe(true);
  }
  expect(fresh.identity).toMatch(/^core\tmgba\tgba,gb,gbc$/m);
});
