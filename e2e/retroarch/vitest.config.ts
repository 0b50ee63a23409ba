import { defineConfig } from 'vitest/config';

/** `npm run test:retroarch`: the real RetroArch binaries (needs root and the cached chroots). */
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['e2e/retroarch/**/*.real.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
