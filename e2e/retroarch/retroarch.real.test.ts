/**
 * `npm run test:retroarch`: the real RetroArch binaries — Debian trixie's 1.20.0 and sid's
 * 1.22.2, from the chroots scripts/retroarch-chroot.sh caches outside the repository — under
 * Xvfb and dbus-run-session, with Cloud Sync (WebDAV) pointed at a real RetroSync server through
 * a recording proxy. Skips, saying why, when a chroot is absent.
 *
 * Shows, per version:
 *  1. a save written by RetroArch arrives on a MinUI card through the desktop client, under
 *     MinUI's path;
 *  2. a handheld's save appears in RetroArch's save folder at its next start;
 *  3. a deletion in RetroArch becomes a restorable deletion on the server;
 *  4. both sides changed: RetroArch converges on the head within two more starts, and the
 *     server keeps both contents;
 *  5. the blank SRAM hazard: started with a game whose save only the server has, RetroArch
 *     writes the blank in-memory SRAM over the save its sync just placed; the server refuses
 *     that blank (blank rule), keeps it as a version, and RetroArch gets the real save back.
 *
 * With RETROARCH_RECORD=1 the request sequences are written to fixtures/<suite>.json, which
 * replay.test.ts replays against the endpoint in CI.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClient, type Client } from '../client/harness.js';
import { startDavServer, type DavServer } from './dav-server.js';
import { gbRom } from './gb-rom.js';
import { startRecorder, type Recorder } from './recorder.js';
import { chrootMissing, makeHome, runRetroArch, SUITES, type RetroArchHome } from './retroarch-run.js';
import type { FixtureStep } from './fixture.js';

const GAME = 'RetroSync Test';
const KEY = `gb/${GAME}/battery`;
const RA_SAVE = `saves/gb/${GAME}.srm`;
const MINUI_SAVES = 'mnt/SDCARD/Saves';
const MINUI_FILE = `${MINUI_SAVES}/GB/${GAME}.gb.sav`;
const HANDHELD_GAME = 'Handheld Game';
const HANDHELD_KEY = `gb/${HANDHELD_GAME}/battery`;
const BLANK_GAME = 'Blank Game';
const BLANK_KEY = `gb/${BLANK_GAME}/battery`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

for (const { suite, version } of SUITES) {
  const missing = chrootMissing(suite);
  if (missing) console.warn(`[test:retroarch] skipping RetroArch ${version} (${suite}): ${missing}`);

  describe.skipIf(missing !== null).sequential(`real RetroArch ${version} (${suite})`, () => {
    let server: DavServer;
    let recorder: Recorder;
    let home: RetroArchHome;
    let minui: Client;
    let ra: { id: string; apiKey: string };
    const steps: FixtureStep[] = [];

    async function retroarch(label: string, content: string | false = false) {
      const before = recorder.exchanges.length;
      const run = await runRetroArch(home, {
        davUrl: `${recorder.url}/dav/`,
        username: 'RetroArch',
        password: ra.apiKey,
        ...(content ? { content, frames: 120 } : { idleSeconds: 6 }),
      });
      const log = run.log.split('\n').filter((l) => l.includes('[CloudSync]') || l.includes('[webdav]'));
      steps.push({ type: 'retroarch', label, exchanges: recorder.exchanges.slice(before) });
      if (process.env.RA_TRACE) console.log(label, log, JSON.stringify(recorder.exchanges.slice(before).map((e) => [e.method, e.path, e.status, e.response.manifest ?? ''])));
      expect(log.some((l) => /finished after/i.test(l)), `RetroArch ${label}: Cloud Sync did not finish\n${run.log.slice(-3000)}`).toBe(true);
      return log;
    }

    async function minuiSync(label: string) {
      const r = await minui.cli('sync', '--json');
      expect(r.status, r.stderr).toBe(0);
      steps.push({ type: 'note', label });
      return JSON.parse(r.stdout) as { uploaded: string[]; downloaded: string[] };
    }

    beforeAll(async () => {
      server = await startDavServer();
      recorder = await startRecorder(server.url);
      home = makeHome(suite, `retrosync-e2e-${process.pid}`);
      writeFileSync(home.hostPath(`roms/gb/${GAME}.gb`), gbRom('RETROSYNC', 'RetroSync was here'));
      writeFileSync(home.hostPath(`roms/gb/${BLANK_GAME}.gb`), gbRom('BLANKSRAM', ''));
      ra = await server.pair(`RetroArch ${version}`);
      minui = makeClient('minui', [MINUI_SAVES, 'mnt/SDCARD/.system']);
      minui.write('mnt/SDCARD/.system/version.txt', 'MinUI-20250101-0\n');
      const r = await minui.cli('pair', await server.pairingCode(), '--server', server.url, '--name', 'MinUI', '--root', minui.root, '--json');
      expect(r.status, r.stderr).toBe(0);
    }, 60_000);

    afterAll(async () => {
      if (process.env.RETROARCH_RECORD === '1' && steps.length > 0) {
        const dir = join(import.meta.dirname, 'fixtures');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${suite}.json`), `${JSON.stringify({ retroarch: version, recordedWith: 'e2e/retroarch/retroarch.real.test.ts', steps }, null, 1)}\n`);
      }
      await recorder?.close();
      await server?.close();
      if (home) rmSync(home.host, { recursive: true, force: true });
    });

    it('a save written by RetroArch arrives on a MinUI card under MinUI\'s path', async () => {
      await retroarch('first start with content: writes the battery save on quit', `roms/gb/${GAME}.gb`);
      const written = readFileSync(home.hostPath(RA_SAVE));
      expect(written.subarray(0, 18).toString('latin1')).toBe('RetroSync was here');
      const log = await retroarch('next start: uploads it');
      expect(log.join('\n')).toMatch(/uploading "?saves\/gb\/RetroSync Test\.srm/i);
      expect((await server.head(KEY, ra.apiKey))?.equals(written)).toBe(true);
      const synced = await minuiSync('MinUI card syncs');
      expect(synced.downloaded).toContain(KEY);
      expect(readFileSync(minui.path(MINUI_FILE)).equals(written)).toBe(true);
    }, 120_000);

    it("a handheld's save appears in RetroArch's save folder at its next start", async () => {
      const bytes = Buffer.alloc(8192, 0x5a);
      minui.write(`${MINUI_SAVES}/GB/${HANDHELD_GAME}.gb.sav`, bytes);
      expect((await minuiSync('MinUI uploads another game')).uploaded).toContain(HANDHELD_KEY);
      steps.push({ type: 'upload', key: HANDHELD_KEY, body: bytes.toString('base64') });
      await retroarch('start: downloads the handheld save');
      expect(readFileSync(home.hostPath(`saves/gb/${HANDHELD_GAME}.srm`)).equals(bytes)).toBe(true);
    }, 120_000);

    it('a deletion in RetroArch becomes a restorable deletion', async () => {
      const path = home.hostPath(`saves/gb/${HANDHELD_GAME}.srm`);
      const bytes = readFileSync(path);
      rmSync(path);
      await retroarch('start after the file was deleted: moves it to deleted/');
      expect(await server.head(HANDHELD_KEY, ra.apiKey)).toBeNull();
      const versions = await server.versions(HANDHELD_KEY, ra.apiKey);
      expect(versions[0]).toMatchObject({ deleted: true, head: true });
      const before = versions.find((v) => !v.deleted && v.sha256 === sha256(bytes));
      expect(before).toBeDefined();
      await server.restore(HANDHELD_KEY, before!.version);
      expect((await server.head(HANDHELD_KEY, ra.apiKey))?.equals(bytes)).toBe(true);
      steps.push({ type: 'restore', key: HANDHELD_KEY, version: before!.version });
      await retroarch('start after the restore: the path is left out once (RetroArch drops its record of the deletion)');
      await retroarch('start once more: downloads the restored save');
      expect(existsSync(path) && readFileSync(path).equals(bytes)).toBe(true);
    }, 180_000);

    it('both sides changed: RetroArch converges on the head; the server keeps both contents', async () => {
      const mine = Buffer.alloc(8192, 0x11);
      mine.write('RetroArch edit', 0, 'latin1');
      const theirs = Buffer.alloc(8192, 0x22);
      theirs.write('handheld edit', 0, 'latin1');
      minui.write(MINUI_FILE, theirs, Date.now());
      expect((await minuiSync('MinUI edits the save')).uploaded).toContain(KEY);
      steps.push({ type: 'upload', key: KEY, body: theirs.toString('base64'), base: 'head' });
      writeFileSync(home.hostPath(RA_SAVE), mine);
      const first = await retroarch('start: both changed, RetroArch reports a conflict');
      expect(first.join('\n')).toMatch(/conflicting change of "?saves\/gb\/RetroSync Test\.srm/i);
      for (let i = 0; i < 3; i++) {
        const head = await server.head(KEY, ra.apiKey);
        if (head && readFileSync(home.hostPath(RA_SAVE)).equals(head)) break;
        await retroarch(`start ${i + 2}: converging`);
      }
      const head = await server.head(KEY, ra.apiKey);
      expect(head).not.toBeNull();
      expect(readFileSync(home.hostPath(RA_SAVE)).equals(head!)).toBe(true);
      const shas = (await server.versions(KEY, ra.apiKey)).map((v) => v.sha256);
      expect(shas).toContain(sha256(mine));
      expect(shas).toContain(sha256(theirs));
    }, 180_000);

    it('the blank SRAM hazard is caught by the blank rule and undone at the next start', async () => {
      const real = Buffer.alloc(8192, 0x33);
      real.write('progress from the handheld', 0, 'latin1');
      minui.write(`${MINUI_SAVES}/GB/${BLANK_GAME}.gb.sav`, real);
      expect((await minuiSync('MinUI uploads a save RetroArch does not have')).uploaded).toContain(BLANK_KEY);
      steps.push({ type: 'upload', key: BLANK_KEY, body: real.toString('base64') });
      const local = home.hostPath(`saves/gb/${BLANK_GAME}.srm`);
      await retroarch('start with that game: its sync places the save after the blank SRAM was loaded', `roms/gb/${BLANK_GAME}.gb`);
      const written = readFileSync(local);
      const blank = written.every((b) => b === 0) || written.every((b) => b === 0xff);
      console.log(`[test:retroarch] ${version}: after the session the local save is ${blank ? 'blank (the hazard happened)' : 'the real save (no hazard this time)'}`);
      await retroarch('next start: uploads what it has');
      expect((await server.head(BLANK_KEY, ra.apiKey))?.equals(real)).toBe(true);
      if (blank) expect((await server.versions(BLANK_KEY, ra.apiKey)).map((v) => v.sha256)).toContain(sha256(written));
      await retroarch('start once more: the real save comes back');
      expect(readFileSync(local).equals(real)).toBe(true);
    }, 180_000);
  });
}
