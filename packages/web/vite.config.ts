import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `source` resolves workspace packages (@retrosync/api) to their TypeScript source,
// so the dashboard never depends on a stale build of the contract.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // Everything is served from our own origin under a strict CSP: no inline assets.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { '/api': { target: process.env.RETROSYNC_API ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
