/**
 * The shape of a CLI command: a folder `commands/<name>/index.ts` exporting `command`.
 * The entry stays thin: parse → read → plan → write.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Io } from './io.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage text shown by `--help` and on usage errors. */
  usage: string;
  options: OptionSpec;
  run(values: Values, positionals: string[], io: Io): Promise<number> | number;
}

/** A mistake in how the command was called: printed with the usage, exit code 64 (EX_USAGE). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes (sysexits.h where one fits). */
export const EXIT = { ok: 0, failure: 1, usage: 64, noInput: 66 } as const;
