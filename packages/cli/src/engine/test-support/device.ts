/** A device for engine tests: a temp `--root` laid out as `platform`, in-memory state and log. */
import { mkdtempSync, mkdirSync, readFileSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Backups } from '../../local-fs/backups.js';
import { nodeFiles } from '../../local-fs/files.js';
import type { Remote } from '../../net/remote.js';
import { memoryLogger } from '../../state/log.js';
import { SyncState } from '../../state/sync-state.js';
import type { EngineDeps } from '../deps.js';
import { deviceLayout } from '../layout.js';

export interface TestDevice {
  root: string;
  deps: EngineDeps & { log: ReturnType<typeof memoryLogger> };
  write(devicePath: string, content: string | Uint8Array, mtimeMs?: number): string;
  read(devicePath: string): string | null;
  host(devicePath: string): string;
}

export function testDevice(platform: string, remote: Remote, saveDirs: string[], vars: Record<string, string> = {}): TestDevice {
  const base = mkdtempSync(join(tmpdir(), `rs-engine-${platform}-`));
  const root = join(base, 'root');
  for (const d of saveDirs) mkdirSync(join(root, d), { recursive: true });
  const host = (p: string) => join(root, p);
  const deps = {
    layout: deviceLayout(platform, [root], vars),
    files: nodeFiles(),
    remote,
    state: SyncState.memory(),
    backups: new Backups(join(base, 'home', 'backups')),
    log: memoryLogger(),
  };
  return {
    root,
    deps,
    host,
    write(p, content, mtimeMs) {
      const path = host(p);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      if (mtimeMs !== undefined) utimesSync(path, new Date(mtimeMs), new Date(mtimeMs));
      return path;
    },
    read(p) {
      return existsSync(host(p)) ? readFileSync(host(p), 'utf8') : null;
    },
  };
}
