/**
 * Blank saves: an emulator writes a blank SRAM (empty, all 0x00 or all 0xFF) at game start. A
 * blank save never replaces a non-blank head (conflict-rule.ts). This detector runs over the
 * bytes as they stream by (the server's upload spool feeds it while hashing), in O(1) memory.
 */
export class BlankDetector {
  /** The byte every chunk so far consisted of (0x00 or 0xFF), `null` before the first byte, `-1` once real bytes appeared. */
  private fill: number | null = null;

  update(chunk: Uint8Array): void {
    if (this.fill === -1 || chunk.length === 0) return;
    const first = this.fill ?? chunk[0]!;
    if (first !== 0x00 && first !== 0xff) {
      this.fill = -1;
      return;
    }
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== first) {
        this.fill = -1;
        return;
      }
    }
    this.fill = first;
  }

  /** True when every byte seen was 0x00, or every byte 0xFF, or there were none. */
  get blank(): boolean {
    return this.fill !== -1;
  }
}

/** Whether these bytes are blank (empty, all 0x00 or all 0xFF). */
export function isBlankSave(bytes: Uint8Array): boolean {
  const d = new BlankDetector();
  d.update(bytes);
  return d.blank;
}
