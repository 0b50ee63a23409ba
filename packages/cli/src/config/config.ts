/**
 * `config.json` (the seed's fields): server URL, device id, API key (file mode 0600), platform
 * and roots, plus the profile variables detection needs on a PC.
 */
import { syncFilter } from '@retrosync/api';
import { checkSyncFilter, InvalidFilterError } from '@retrosync/core';
import { z } from 'zod';
import { readJson, writeJsonAtomic } from './json-file.js';

export const configSchema = z.object({
  server: z.string().url(),
  deviceId: z.string().min(1),
  deviceName: z.string().min(1),
  apiKey: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * Set only during a key rotation (session/key-rotation.ts): the key before `apiKey`, kept until
   * the server has confirmed the new one, so a crash or an unconfirmed rotation never locks the
   * device out.
   */
  previousApiKey: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  platform: z.string().min(1),
  /** Host folders that stand for the device's `/` (a mounted SD card, or `/` itself on a PC). */
  roots: z.array(z.string().min(1)).min(1),
  /** Path variables for desktop layouts (home, config, retroarch, emulation). */
  vars: z.record(z.string(), z.string()).default({}),
  /** Folders with the user's ROMs (host paths): tell the system of saves in flat or multi-system folders. */
  romRoots: z.array(z.string().min(1)).default([]),
  backups: z.object({ maxEntries: z.number().int().min(1), maxAgeDays: z.number().min(0) }).default({ maxEntries: 200, maxAgeDays: 30 }),
  /** Seconds between full rescans in the daemon (the safety net under the watcher). */
  rescanSeconds: z.number().int().min(5).default(300),
  pairedAt: z.string(),
  /**
   * Selective sync, this device only (`retrosync filter --local`): combined with the device's
   * filter on the server — a save syncs only when both include it. Absent: everything.
   */
  filter: syncFilter.optional(),
});
export type Config = z.infer<typeof configSchema>;

export class NotPairedError extends Error {
  override readonly name = 'NotPairedError';
  constructor(path: string) {
    super(`This device is not paired (no ${path}). Run: retrosync pair <code> --server <url>`);
  }
}

export class BadConfigError extends Error {
  override readonly name = 'BadConfigError';
}

export async function loadConfig(path: string): Promise<Config> {
  let raw: unknown;
  try {
    raw = await readJson(path);
  } catch (err) {
    throw new BadConfigError(`${path} is not valid JSON (${(err as Error).message}); fix it or run retrosync unpair and pair again`);
  }
  if (raw === null) throw new NotPairedError(path);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new BadConfigError(`${path} is incomplete or invalid (${fields}); run retrosync unpair and pair again`);
  }
  if (parsed.data.filter) {
    try {
      parsed.data.filter = checkSyncFilter(parsed.data.filter);
    } catch (err) {
      if (err instanceof InvalidFilterError) throw new BadConfigError(`${path}: filter.${err.field}: ${err.reason}; fix it or run retrosync filter reset --local`);
      throw err;
    }
  }
  return parsed.data;
}

export async function saveConfig(path: string, config: Config): Promise<void> {
  await writeJsonAtomic(path, configSchema.parse(config), 0o600);
}
