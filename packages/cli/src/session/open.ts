/**
 * Wiring for the commands: config + state + log + backups from RETROSYNC_HOME, the HTTP
 * remote and the device layout, assembled into the engine's dependencies.
 */
import { loadConfig, type Config } from '../config/config.js';
import { finishRotation, rotateKey } from './key-rotation.js';
import { homePaths, type HomePaths } from '../config/home.js';
import type { EngineDeps, EngineHooks } from '../engine/deps.js';
import { deviceLayout } from '../engine/layout.js';
import { Backups } from '../local-fs/backups.js';
import { nodeFiles } from '../local-fs/files.js';
import { httpRemote } from '../net/http-remote.js';
import { stallMsFrom } from '../net/stall.js';
import { deviceClock } from '../time/device-clock.js';
import { lastServerTime, noteServerTime } from '../time/time-trust.js';
import type { Progress } from '../net/remote.js';
import { fileLogger, type Level, type Logger } from '../state/log.js';
import { SyncState } from '../state/sync-state.js';

export interface Session {
  paths: HomePaths;
  config: Config;
  deps: EngineDeps;
  log: Logger;
  /** The device key now (it changes when the key is rotated). */
  apiKey(): string;
  /** Rotates the device key (session/key-rotation.ts); the remote uses the new key at once. */
  rotateKey(): Promise<void>;
}

export interface SessionOptions {
  env?: NodeJS.ProcessEnv;
  echo?: (level: Level, message: string) => void;
  progress?: (label: string, total: number) => Progress | undefined;
  hooks?: EngineHooks;
  /** ROM roots given on the command line (`--rom-root`, host paths), over config.json's. */
  romRoots?: readonly string[];
}

export async function openSession(options: SessionOptions = {}): Promise<Session> {
  const paths = homePaths(options.env);
  let config = await loadConfig(paths.config);
  if (config.previousApiKey) {
    // A key rotation was interrupted (a crash between writing the new key and confirming it).
    config = await finishRotation(paths.config, config).catch(() => config);
  }
  let apiKey = config.apiKey;
  const log = fileLogger(paths.log, options.echo ? { echo: options.echo } : {});
  const state = await SyncState.load(paths.state);
  const env = options.env ?? process.env;
  const clock = deviceClock(env);
  const remote = httpRemote({
    server: config.server,
    apiKey: () => apiKey,
    deviceId: config.deviceId,
    platform: config.platform,
    clock,
    stallMs: stallMsFrom(env),
    lastServerTime: () => lastServerTime(state),
    onServerTime: (t) => noteServerTime(state, clock, t),
  });
  const deps: EngineDeps = {
    layout: deviceLayout(config.platform, config.roots, config.vars, [...(options.romRoots ?? []), ...config.romRoots]),
    files: nodeFiles(),
    remote,
    state,
    backups: new Backups(paths.backups, config.backups),
    log,
    clock,
    device: { name: config.deviceName, platform: config.platform },
    localFilter: config.filter ?? null,
  };
  if (options.progress) deps.progress = options.progress;
  if (options.hooks) deps.hooks = options.hooks;
  const session: Session = {
    paths,
    config,
    deps,
    log,
    apiKey: () => apiKey,
    async rotateKey() {
      const next = await rotateKey({ configPath: paths.config, config: session.config, env });
      session.config = next;
      apiKey = next.apiKey;
    },
  };
  return session;
}
