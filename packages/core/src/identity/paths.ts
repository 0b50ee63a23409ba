/**
 * Device paths: always written with `/` (a Windows path `C:\RetroArch\saves` becomes
 * `C:/RetroArch/saves`), so the same code and vectors serve every platform.
 */

export type PathStyle = 'posix' | 'windows';

/** `/`-separated, no duplicate or trailing separators, `.` segments dropped; `..` kept for {@link isInside} to refuse. */
export function normalizePath(path: string, style: PathStyle = 'posix'): string {
  const p = style === 'windows' ? path.replace(/\\/g, '/') : path;
  const absolute = p.startsWith('/');
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  const joined = parts.join('/');
  return absolute ? `/${joined}` : joined;
}

export function joinPath(...parts: string[]): string {
  return normalizePath(parts.filter((p) => p !== '').join('/'));
}

export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '';
  return i === 0 ? '/' : path.slice(0, i);
}

/**
 * The segments of `path` below `dir`, or null when `path` is not strictly inside it.
 * Windows paths compare case-insensitively, as NTFS does.
 */
export function segmentsBelow(dir: string, path: string, style: PathStyle = 'posix'): string[] | null {
  const d = normalizePath(dir, style);
  const p = normalizePath(path, style);
  const fold = (s: string) => (style === 'windows' ? s.toLowerCase() : s);
  const prefix = d === '/' ? '/' : `${d}/`;
  if (!fold(p).startsWith(fold(prefix)) || p.length <= prefix.length) return null;
  const rest = p.slice(prefix.length).split('/');
  return rest.includes('..') ? null : rest;
}

/** True when `path` is `dir` itself or below it, with no `..` segment anywhere. */
export function isInside(dir: string, path: string, style: PathStyle = 'posix'): boolean {
  if (path.split(/[/\\]/).includes('..')) return false;
  const d = normalizePath(dir, style);
  const p = normalizePath(path, style);
  const fold = (s: string) => (style === 'windows' ? s.toLowerCase() : s);
  return fold(p) === fold(d) || segmentsBelow(d, p, style) !== null;
}

/**
 * Expands `~`, `{name}` variables (repeatedly, so `{config}` = `~/.config` works) in a path
 * template; returns null when a variable has no value.
 */
export function expandTemplate(template: string, vars: Readonly<Record<string, string | undefined>>): string | null {
  let out = template;
  for (let i = 0; i < 5; i++) {
    let missing = false;
    const next = out
      .replace(/^~(?=\/|$)/, () => vars.home ?? ((missing = true), '~'))
      .replace(/\{([a-z_]+)\}/g, (_m, name: string) => vars[name] ?? ((missing = true), `{${name}}`));
    if (missing) return null;
    if (next === out) return out;
    out = next;
  }
  return out;
}

/** `root` + device path: every platform path read under `root` as if `root` were `/`. */
export function underRoot(root: string | undefined, devicePath: string): string {
  if (root === undefined || root === '' || root === '/') return devicePath;
  const rel = devicePath.replace(/^[A-Za-z]:/, '').replace(/^\/+/, '');
  return joinPath(root, rel);
}
