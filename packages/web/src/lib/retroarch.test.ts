import { describe, expect, it } from 'vitest';
import { retroArchCfgLines, retroArchSetup } from './retroarch';

describe('RetroArch setup details', () => {
  it('the /dav/ URL under the server origin, a safe user name, the key as password', () => {
    const s = retroArchSetup('https://saves.example.com', 'RetroArch (Steam Deck)', 'ab'.repeat(32));
    expect(s).toEqual({ url: 'https://saves.example.com/dav/', username: 'RetroArch-Steam-Deck', password: 'ab'.repeat(32), insecure: false });
    expect(retroArchCfgLines(s)).toContain('webdav_url = "https://saves.example.com/dav/"');
    expect(retroArchCfgLines(s)).toContain(`webdav_password = "${'ab'.repeat(32)}"`);
  });

  it('warns about plain HTTP beyond a LAN only', () => {
    expect(retroArchSetup('http://192.168.1.20:3000', 'RA', 'k').insecure).toBe(false);
    expect(retroArchSetup('http://nas', 'RA', 'k').insecure).toBe(false);
    expect(retroArchSetup('http://localhost:3000', 'RA', 'k').insecure).toBe(false);
    expect(retroArchSetup('http://saves.example.com', 'RA', 'k').insecure).toBe(true);
  });
});
