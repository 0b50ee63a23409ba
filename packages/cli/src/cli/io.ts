/**
 * What a command may touch: its output streams, the machine's file system (read-only port of
 * `@retrosync/core`), the working directory and the environment. Tests pass fakes.
 */
import { homedir } from 'node:os';
import type { FileSystem } from '@retrosync/core';
import { nodeIdentityFs } from '../local-fs/identity-fs.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  fs: FileSystem;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
}

export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    fs: nodeIdentityFs,
    cwd: process.cwd(),
    env: process.env,
    home: homedir(),
  };
}
