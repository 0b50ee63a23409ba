/** A fake {@link Io} that records output, over an in-memory device. */
import { memoryFs, type MemoryFile } from '@retrosync/core';
import type { Io } from '../io.js';

export interface RecordingIo extends Io {
  stdout: string[];
  stderr: string[];
}

export function fakeIo(files: Readonly<Record<string, MemoryFile>> | readonly string[] = {}): RecordingIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    fs: memoryFs(files),
    cwd: '/',
    env: {},
    home: '/home/user',
  };
}
