/**
 * `retrosync <command> …`: finds the command, parses its options with node:util parseArgs and
 * runs it. Commands are listed here explicitly (name → loader), each in its own folder.
 */
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type Command } from './command.js';
import { NotDetectedError } from './device.js';
import type { Io } from './io.js';

export type CommandLoader = () => Promise<Command>;

/** Every command: add `commands/<name>/index.ts` and a line here. */
export const COMMANDS: Readonly<Record<string, CommandLoader>> = {
  identify: async () => (await import('../commands/identify/index.js')).command,
  place: async () => (await import('../commands/place/index.js')).command,
  detect: async () => (await import('../commands/detect/index.js')).command,
  pair: async () => (await import('../commands/pair/index.js')).command,
  unpair: async () => (await import('../commands/unpair/index.js')).command,
  sync: async () => (await import('../commands/sync/index.js')).command,
  daemon: async () => (await import('../commands/daemon/index.js')).command,
  status: async () => (await import('../commands/status/index.js')).command,
  log: async () => (await import('../commands/log/index.js')).command,
  history: async () => (await import('../commands/history/index.js')).command,
  restore: async () => (await import('../commands/restore/index.js')).command,
  autostart: async () => (await import('../commands/autostart/index.js')).command,
  'rotate-key': async () => (await import('../commands/rotate-key/index.js')).command,
  filter: async () => (await import('../commands/filter/index.js')).command,
};

const VERSION = '0.1.0';

async function overview(commands: Readonly<Record<string, CommandLoader>>): Promise<string> {
  const lines = ['usage: retrosync <command> [options]', '', 'commands:'];
  for (const load of Object.values(commands)) {
    const c = await load();
    lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  }
  lines.push('', 'retrosync <command> --help shows a command\'s options.');
  return lines.join('\n');
}

/** Runs the command line `argv` (without node and script); returns the exit code. */
export async function run(argv: string[], io: Io, commands: Readonly<Record<string, CommandLoader>> = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(await overview(commands));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.out(VERSION);
    return EXIT.ok;
  }
  const load = commands[name];
  if (!load) {
    io.err(`retrosync: unknown command "${name}"`);
    io.err(await overview(commands));
    return EXIT.usage;
  }
  const command = await load();
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(command.usage);
      return EXIT.ok;
    }
    return await command.run(values as Record<string, string | boolean | string[] | undefined>, positionals, io);
  } catch (err) {
    if (err instanceof NotDetectedError) {
      io.err(`retrosync ${name}: ${err.message}`);
      return EXIT.failure;
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`retrosync ${name}: ${(err as Error).message}`);
      io.err(command.usage);
      return EXIT.usage;
    }
    throw err;
  }
}
