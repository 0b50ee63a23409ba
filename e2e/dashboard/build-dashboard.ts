/**
 * Makes sure packages/web/dist is a build of the current sources: the browser test runs
 * `vite build` when dist is missing or older than any dashboard or contract source file.
 */
import { spawn } from 'node:child_process';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = join(ROOT, 'packages/web');
export const DIST_DIR = join(WEB_DIR, 'dist');

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of await readdir(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  }
  return newest;
}

export async function dashboardIsStale(): Promise<boolean> {
  const built = (await stat(join(DIST_DIR, 'index.html')).catch(() => null))?.mtimeMs ?? 0;
  if (built === 0) return true;
  const sources = await Promise.all(
    [join(WEB_DIR, 'src'), join(WEB_DIR, 'index.html'), join(WEB_DIR, 'vite.config.ts'), join(ROOT, 'packages/api/src'), join(ROOT, 'packages/core/src')].map(
      newestMtime,
    ),
  );
  return Math.max(...sources) > built;
}

/**
 * Runs `vite build` in packages/web when needed; resolves with whether it built. It builds
 * into a private folder and then swaps it in, so two test runs at once never serve a half
 * written dist.
 */
export async function ensureDashboardBuilt(): Promise<boolean> {
  if (!(await dashboardIsStale())) return false;
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
  const outDir = join(WEB_DIR, `.dist-build-${process.pid}`);
  await new Promise<void>((done, fail) => {
    // vitest sets NODE_ENV=test, which would make Vite emit a development bundle.
    const env = { ...process.env, NODE_ENV: 'production' };
    const args = [vite, 'build', '--mode', 'production', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'];
    const child = spawn(process.execPath, args, { cwd: WEB_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`vite build failed (${code}):\n${output}`))));
  }).catch(async (error: unknown) => {
    await rm(outDir, { recursive: true, force: true });
    throw error;
  });
  const old = `${DIST_DIR}.old-${process.pid}`;
  await rename(DIST_DIR, old).catch(() => undefined);
  await rename(outDir, DIST_DIR);
  await rm(old, { recursive: true, force: true });
  return true;
}
