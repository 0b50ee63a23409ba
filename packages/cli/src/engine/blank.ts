/**
 * A blank save holds nothing: empty, all 0x00 or all 0xFF (what emulators write for a fresh
 * game; 0xFF is erased flash). The client never uploads one over a live head (its blank guard,
 * the plan rule's `refuse-blank`); the server refuses it too (`blank_refused`).
 */
export function isBlank(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  const first = bytes[0];
  if (first !== 0 && first !== 0xff) return false;
  for (let i = 1; i < bytes.length; i++) if (bytes[i] !== first) return false;
  return true;
}
