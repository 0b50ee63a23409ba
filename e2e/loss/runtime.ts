/**
 * How the harness starts the server and the desktop client: from the compiled `dist/` when it is
 * at least as new as the sources (`npm test` runs `tsc -b` first; starting a process is then
 * about twice as fast as through tsx, which matters on a shared 2-core machine), else from the
 * TypeScript sources through tsx. LOSS_FROM_SOURCE=1 forces the sources.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
const PACKAGES = ['core', 'api', 'server', 'cli'];

function newest(dir: string, skip: (name: string) => boolean = () => false): number {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (skip(e.name)) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p, skip) : statSync(p).mtimeMs);
  }
  return t;
}

let fresh: boolean | undefined;
function distIsFresh(): boolean {
  if (fresh !== undefined) return fresh;
  if (process.env.LOSS_FROM_SOURCE === '1') return (fresh = false);
  fresh = PACKAGES.every((p) => {
    const dist = newest(join(REPO, 'packages', p, 'dist'));
    return dist > 0 && newest(join(REPO, 'packages', p, 'src'), (n) => n.endsWith('.test.ts')) <= dist;
  });
  return fresh;
}

/** `node` arguments that run `packages/<pkg>/src/<entry>.ts` (or its compiled form). */
export function nodeArgs(pkg: 'server' | 'cli', entry: string): string[] {
  if (distIsFresh()) return [join(REPO, 'packages', pkg, 'dist', `${entry}.js`)];
  return ['--conditions=source', '--import', 'tsx', join(REPO, 'packages', pkg, 'src', `${entry}.ts`)];
}

export function runtimeName(): string {
  return distIsFresh() ? 'compiled dist/' : 'TypeScript sources (tsx)';
}
