/**
 * A tiny Game Boy ROM made at test time (no ROM files in the repository): an MBC1+RAM+BATTERY
 * cartridge with 8 KB of SRAM whose code enables the RAM, writes `marker` at 0xA000 and loops,
 * so the core writes a real battery save (.srm) when RetroArch unloads it. With an empty
 * marker it writes nothing: the SRAM stays as loaded (blank when no save was there).
 */
const LOGO = Buffer.from('CEED6666CC0D000B03730083000C000D0008111F8889000EDCCC6EE6DDDDD999BBBB67636E0EECCCDDDC999FBBB9333E', 'hex');

export function gbRom(title: string, marker: string): Buffer {
  const rom = Buffer.alloc(32 * 1024, 0);
  Buffer.from([0x00, 0xc3, 0x50, 0x01]).copy(rom, 0x100); // nop; jp 0x0150
  LOGO.copy(rom, 0x104);
  Buffer.from(title.toUpperCase().slice(0, 15), 'ascii').copy(rom, 0x134);
  rom[0x147] = 0x03; // MBC1+RAM+BATTERY
  rom[0x148] = 0x00; // 32 KB ROM
  rom[0x149] = 0x02; // 8 KB RAM
  let x = 0;
  for (let i = 0x134; i <= 0x14c; i++) x = (x - (rom[i] as number) - 1) & 0xff;
  rom[0x14d] = x;
  const code: number[] = [];
  if (marker !== '') {
    code.push(0x3e, 0x0a, 0xea, 0x00, 0x00); // ld a,0x0A; ld (0x0000),a — enable SRAM
    code.push(0x21, 0x00, 0xa0); // ld hl,0xA000
    for (const b of Buffer.from(marker, 'latin1')) code.push(0x3e, b, 0x22); // ld a,b; ld (hl+),a
    code.push(0x3e, 0x00, 0xea, 0x00, 0x00); // disable SRAM (flushes on real carts)
  }
  code.push(0x76, 0x18, 0xfd); // halt; jr -3 (loop forever)
  Buffer.from(code).copy(rom, 0x150);
  return rom;
}
