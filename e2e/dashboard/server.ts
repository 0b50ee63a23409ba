/**
 * The real server for the browser test: `buildApp` on SQLite in a temp data dir, listening
 * on a random loopback port, with the real clock (the browser counts down real time).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, loadConfig, openDatabase } from '@retrosync/server';

export interface RunningServer {
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'retrosync-e2e-dashboard-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    JWT_SECRET: 'e2e-dashboard-secret-e2e-dashboard-secret-0123',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    ...env,
  });
  const opened = await openDatabase(config.database);
  const app = await buildApp({ config, db: opened.db, dialect: opened.dialect, jwtSecret: config.jwtSecret ?? '', logger: false });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await app.close();
    await opened.close();
    throw error;
  }
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    dataDir,
    async close() {
      await app.close();
      await opened.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
