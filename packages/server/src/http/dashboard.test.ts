import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, SESSION_HINT, defaultDashboardDir, registerDashboard } from './dashboard.js';
import { createTestContext } from '../test-support/index.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';

async function appFor(distDir: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ success: false, error: 'No such endpoint.', code: 'route_not_found' }));
  app.get('/api/ping', async () => ({ success: true, data: { pong: true } }));
  await registerDashboard(app, { distDir });
  await app.ready();
  return app;
}

describe('dashboard serving', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'retrosync-dash-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), INDEX);
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log("dashboard")');
    await writeFile(join(dir, 'assets', 'index-def456.css'), 'body{margin:0}');
    app = await appFor(dir);
  });

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['/', '/auth/login', '/auth/register', '/dashboard', '/dashboard/devices', '/dashboard/saves?key=gba%2FX%2Fbattery'])(
    'answers index.html with a CSP for %s',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.body).toBe(INDEX);
    },
  );

  it('adds the session hint only when the session cookie is present', async () => {
    const signedIn = await app.inject({ method: 'GET', url: '/dashboard', headers: { cookie: 'x=1; retrosync_token=abc' } });
    expect(signedIn.body).toContain(SESSION_HINT);
    expect(signedIn.headers.vary).toBe('Cookie');
    const visitor = await app.inject({ method: 'GET', url: '/dashboard', headers: { cookie: 'retrosync_token=' } });
    expect(visitor.body).not.toContain(SESSION_HINT);
  });

  it('allows only same-origin scripts and data: images in the CSP', () => {
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    expect(DASHBOARD_CSP).toContain("img-src 'self' data:");
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
  });

  it('serves hashed assets as immutable with their content type', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe('console.log("dashboard")');
    const css = await app.inject({ method: 'GET', url: '/assets/index-def456.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it.each(['/assets/missing-000.js', '/assets/..%2Findex.html', '/assets/../index.html', '/assets/sub/x.js', '/assets/index-abc123.exe'])(
    'answers 404 for %s',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('<div id="root">');
    },
  );

  it('leaves the API and unknown routes alone', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/ping' })).json()).toEqual({ success: true, data: { pong: true } });
    const unknown = await app.inject({ method: 'GET', url: '/api/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'route_not_found' });
    expect((await app.inject({ method: 'GET', url: '/elsewhere' })).statusCode).toBe(404);
  });
});

describe('default location', () => {
  it('is packages/web/dist, from the sources and from the build alike', () => {
    expect(defaultDashboardDir()).toBe(join(fileURLToPath(new URL('../../../web/dist', import.meta.url))));
    expect(defaultDashboardDir().endsWith(join('packages', 'web', 'dist'))).toBe(true);
  });
});

describe('dashboard not built', () => {
  it('explains how to build it instead of failing', async () => {
    const app = await appFor(join(tmpdir(), 'retrosync-no-such-dist-' + process.pid));
    try {
      const res = await app.inject({ method: 'GET', url: '/dashboard' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('npm run build');
      expect((await app.inject({ method: 'GET', url: '/assets/index-abc123.js' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});

describe('dashboard wired into buildApp', () => {
  it('answers / with HTML (the dashboard or the build hint) and keeps unknown API routes JSON', async () => {
    const ctx = await createTestContext('sqlite');
    try {
      const root = await ctx.app.inject({ method: 'GET', url: '/dashboard/devices' });
      expect([200, 503]).toContain(root.statusCode);
      expect(root.headers['content-type']).toMatch(/^text\/html/);
      expect(root.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      const unknown = await ctx.app.inject({ method: 'GET', url: '/api/no-such-endpoint' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ success: false, code: 'route_not_found' });
    } finally {
      await ctx.close();
    }
  });
});
