import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'e2e/**/*.test.ts', 'clients/**/*.test.ts'],
    // The real RetroArch binaries run only through `npm run test:retroarch` (e2e/retroarch/vitest.config.ts).
    exclude: ['**/node_modules/**', '**/*.real.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI: keep parallelism modest so timing-sensitive tests stay honest.
    maxWorkers: 2,
  },
});
