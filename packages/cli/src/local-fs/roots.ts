/**
 * The last line of defence against a hostile or buggy server: a path the client is about to
 * write or delete must lie inside one of the configured roots, lexically and after resolving
 * symlinks of every folder that already exists on the way.
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export class OutsideRootError extends Error {
  override readonly name = 'OutsideRootError';
  constructor(readonly path: string) {
    super(`refusing to write ${path}: it is outside the configured roots`);
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** The nearest existing ancestor of `path`, resolved through symlinks. */
function realAncestor(path: string): string {
  let p = path;
  for (;;) {
    try {
      return realpathSync(p);
    } catch {
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

/** Throws {@link OutsideRootError} unless `path` is strictly inside one of `roots`. */
export function assertInsideRoots(path: string, roots: readonly string[]): string {
  if (path.split(/[/\\]/).includes('..') || path.includes('\0')) throw new OutsideRootError(path);
  const abs = resolve(path);
  for (const root of roots) {
    const r = resolve(root);
    if (!inside(r, abs)) continue;
    const realRoot = realAncestor(r);
    const realParent = realAncestor(dirname(abs));
    if (realParent === realRoot || inside(realRoot, realParent)) return abs;
  }
  throw new OutsideRootError(path);
}
