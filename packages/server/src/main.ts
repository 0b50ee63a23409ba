/**
 * Entry point: config from the environment → database (migrated) → app → listen. Closes
 * cleanly on SIGINT/SIGTERM.
 */
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/open.js';
import { startDiscovery, type DiscoveryResponder } from './discovery/lan-discovery.js';
import { createLogger } from './logger.js';
import { resolveJwtSecret } from './security/secret.js';
import { SERVER_VERSION } from './version.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, undefined, config.logFormat);
  const jwtSecret = resolveJwtSecret(config.jwtSecret, config.dataDir, log);
  const { db, dialect, close, poolStats } = await openDatabase(config.database, {
    onIdleError: (err) => log.warn({ err }, 'a PostgreSQL connection was closed by the server; it will be reopened'),
  });
  log.info({ dialect, dataDir: config.dataDir, database: config.database.kind === 'sqlite' ? config.database.file : 'postgres' }, 'database ready');
  const app = await buildApp({ config, db, dialect, jwtSecret, logger: log, ...(poolStats ? { poolStats } : {}) });
  let discovery: DiscoveryResponder | undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    await discovery?.close();
    await app.close();
    await close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host, backlog: config.http.listenBacklog });
  log.info(`RetroSync listening on ${config.publicUrl} (port ${config.port})`);
  if (config.discovery.enabled) {
    const address = app.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.port;
    try {
      discovery = await startDiscovery({
        port: config.discovery.port,
        name: config.discovery.name,
        publicUrl: config.discovery.publicUrlSet ? config.publicUrl : undefined,
        httpPort,
        version: SERVER_VERSION,
        log: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
      });
      log.info(`LAN discovery answering on UDP port ${discovery.port} (LAN_DISCOVERY=false turns it off)`);
    } catch (err) {
      // Discovery is a convenience: a taken port must not stop the server.
      log.warn(`LAN discovery is off: UDP port ${config.discovery.port}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`RetroSync failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
