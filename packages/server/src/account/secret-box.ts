/**
 * Two-factor secrets at rest.
 *
 * Decision: the TOTP secret is stored encrypted (AES-256-GCM, random 96-bit IV, the user id as
 * associated data so a row copied to another account does not decrypt), and recovery codes as
 * HMAC-SHA256, both under keys derived (HKDF-SHA256) from the server secret — TWO_FACTOR_KEY when
 * set, else the JWT secret (JWT_SECRET, or the one generated into DATA_DIR/jwt-secret;
 * security/secret.ts). So a database dump alone (a PostgreSQL backup, a copied SQLite file
 * without the data folder's jwt-secret) reveals neither the secrets nor a way to test recovery
 * codes offline. The cost: changing that secret makes existing enrolments unusable — set
 * TWO_FACTOR_KEY to the old secret when you rotate JWT_SECRET (README, "Two-factor sign-in").
 * Format: `v1:<iv base64url>:<ciphertext+tag base64url>`.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export class SecretBox {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(serverSecret: string) {
    const ikm = Buffer.from(serverSecret, 'utf8');
    this.encKey = Buffer.from(hkdfSync('sha256', ikm, 'retrosync', 'two-factor secret v1', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', ikm, 'retrosync', 'recovery code v1', 32));
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.encKey, iv);
    c.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
    return `v1:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  /** The plaintext, or null when the box was sealed under another key or context (or is damaged). */
  open(sealed: string, context: string): string | null {
    const m = /^v1:([\w-]+):([\w-]+)$/.exec(sealed);
    if (!m) return null;
    const iv = Buffer.from(m[1]!, 'base64url');
    const body = Buffer.from(m[2]!, 'base64url');
    if (iv.length !== 12 || body.length < 16) return null;
    try {
      const d = createDecipheriv('aes-256-gcm', this.encKey, iv);
      d.setAAD(Buffer.from(context, 'utf8'));
      d.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]).toString('utf8');
    } catch {
      return null;
    }
  }

  /** Keyed hash of a (normalised) recovery code; equality lookups find it. */
  mac(value: string): string {
    return createHmac('sha256', this.macKey).update(value, 'utf8').digest('hex');
  }
}
