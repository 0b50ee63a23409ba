/**
 * Entry point: config from the environment → database (migrated) → app → listen. Closes
 * cleanly on SIGINT/SIGTERM.
 */
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/open.js';
import { createLogger } from './logger.js';
import { resolveJwtSecret } from './security/secret.js';

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
  const log = createLogger(config.logLevel);
  const jwtSecret = resolveJwtSecret(config.jwtSecret, config.dataDir, log);
  const { db, dialect, close } = await openDatabase(config.database, {
    onIdleError: (err) => log.warn({ err }, 'a PostgreSQL connection was closed by the server; it will be reopened'),
  });
  log.info({ dialect, dataDir: config.dataDir, database: config.database.kind === 'sqlite' ? config.database.file : 'postgres' }, 'database ready');
  const app = await buildApp({ config, db, dialect, jwtSecret, logger: log });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    await app.close();
    await close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  log.info(`RetroSync listening on ${config.publicUrl} (port ${config.port})`);
}

main().catch((err: unknown) => {
  process.stderr.write(`RetroSync failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
