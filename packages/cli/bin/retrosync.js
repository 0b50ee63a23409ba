#!/usr/bin/env node
// Thin launcher: the compiled entry point (built by `npm install` through the root `prepare` script).
import('../dist/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/main.js')) {
    console.error('retrosync is not built yet: run `npm run build` in the repository root.');
    process.exit(70);
  }
  throw err;
});
