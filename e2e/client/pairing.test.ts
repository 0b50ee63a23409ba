/** Pairing with a code this device shows (entered by the user in the dashboard), and unpairing. */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClient, startServer, type RunningServer } from './harness.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

describe('pairing', () => {
  it('--show-code prints a code, waits until the user links it, then writes the key', async () => {
    const c = makeClient('showcode', ['mnt/SDCARD/Saves']);
    const child = c.spawn('pair', '--server', server.url, '--show-code', '--platform', 'minui', '--root', c.root, '--name', 'Brick');
    let stderr = '';
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no code shown: ${stderr}`)), 20_000);
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /dashboard[^:]*: (\d{6})/.exec(stderr);
        if (m) (clearTimeout(t), resolve(m[1] as string));
      });
    });
    await server.link(code);
    const status = await new Promise<number | null>((r) => child.on('close', r));
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/Paired "Brick" \(MinUI[^)]*\)\) with http:\/\/127\.0\.0\.1:\d+/);
    expect(existsSync(`${c.home}/config.json`)).toBe(true);

    const again = await c.cli('pair', '123456', '--server', server.url, '--platform', 'minui', '--root', c.root);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already paired .* Run retrosync unpair first/);

    const un = await c.cli('unpair');
    expect(un.status).toBe(0);
    expect(existsSync(`${c.home}/config.json`)).toBe(false);
    const s = await c.cli('sync');
    expect(s.status).toBe(1);
    expect(s.stderr).toMatch(/not paired.*retrosync pair <code> --server <url>/);
  }, 60_000);

  it('a wrong code fails with a message a person can act on', async () => {
    const c = makeClient('badcode', ['mnt/SDCARD/Saves']);
    const r = await c.cli('pair', '000000', '--server', server.url, '--platform', 'minui', '--root', c.root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/retrosync pair: .*(wrong|expired|code)/i);
    const down = await c.cli('pair', '123456', '--server', 'http://127.0.0.1:9', '--platform', 'minui', '--root', c.root);
    expect(down.status).toBe(75);
    expect(down.stderr).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:9 .*Check the URL/);
  }, 30_000);
});

describe('a PC without --root', () => {
  it('pairs as RetroArch on Linux and receives a handheld save in its RetroArch saves folder (by core: RetroArch 1.16+ default)', async () => {
    const card = makeClient('pc-card', ['mnt/SDCARD/Saves']);
    const pc = makeClient('pc', []);
    const saves = `${pc.env.XDG_CONFIG_HOME}/retroarch/saves`;
    expect((await card.cli('pair', await server.pairingCode(), '--server', server.url, '--platform', 'minui', '--root', card.root)).status).toBe(0);
    const p = await pc.cli('pair', await server.pairingCode(), '--server', server.url, '--platform', 'retroarch_linux', '--json');
    expect(p.status, p.stderr).toBe(0);
    card.write('mnt/SDCARD/Saves/GBA/Metroid Fusion.gba.sav', 'samus');
    expect((await card.cli('sync')).status).toBe(0);
    const r = await pc.cli('sync', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ downloaded: ['gba/Metroid Fusion/battery'] });
    const { readFileSync } = await import('node:fs');
    // No retroarch.cfg says otherwise: RetroArch 1.16+ sorts saves by core (mGBA for gba here).
    expect(readFileSync(`${saves}/mGBA/Metroid Fusion.srm`, 'utf8')).toBe('samus');
  }, 60_000);
});
