/** A save that holds nothing: empty or all zero bytes (what an emulator writes for a fresh game). */
export function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
