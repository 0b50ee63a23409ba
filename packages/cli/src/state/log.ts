/**
 * `retrosync.log`: one line per event (`<ISO time> <level> <message>`), rotated at a size limit
 * (`retrosync.log.1` … `.N`, oldest dropped). Also echoes to a sink (the terminal) when given.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export type Level = 'info' | 'warn' | 'error' | 'debug';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface FileLogOptions {
  maxBytes?: number;
  keep?: number;
  echo?: (level: Level, message: string) => void;
}

export function fileLogger(path: string, options: FileLogOptions = {}): Logger {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const keep = options.keep ?? 3;
  let size = -1;
  const rotate = () => {
    rmSync(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(`${path}.${i}`, `${path}.${i + 1}`);
      } catch {
        // missing generation
      }
    }
    renameSync(path, `${path}.1`);
    size = 0;
  };
  const write = (level: Level, message: string) => {
    options.echo?.(level, message);
    const line = `${new Date().toISOString()} ${level.toUpperCase()} ${message.replace(/\n/g, ' ')}\n`;
    try {
      if (size < 0) {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
      }
      if (size + line.length > maxBytes && size > 0) rotate();
      appendFileSync(path, line, { mode: 0o600 });
      size += Buffer.byteLength(line);
    } catch {
      // logging must never stop a sync
    }
  };
  return {
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
    debug: (m) => write('debug', m),
  };
}

/** A logger that keeps lines in memory (tests) and forwards nowhere. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: Level) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, info: push('info'), warn: push('warn'), error: push('error'), debug: push('debug') };
}
