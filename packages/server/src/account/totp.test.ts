import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';
import { matchTotp, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, otpauthUrl, totpCode, totpStep } from './totp.js';

// RFC 6238 appendix B: seeds are the ASCII strings below (20, 32, 64 bytes), 8 digits, 30 s steps.
const SEEDS = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
} as const;
const VECTORS: Array<[number, string, keyof typeof SEEDS]> = [
  [59, '94287082', 'SHA1'],
  [59, '46119246', 'SHA256'],
  [59, '90693936', 'SHA512'],
  [1111111109, '07081804', 'SHA1'],
  [1111111109, '68084774', 'SHA256'],
  [1111111109, '25091201', 'SHA512'],
  [1111111111, '14050471', 'SHA1'],
  [1111111111, '67062674', 'SHA256'],
  [1111111111, '99943326', 'SHA512'],
  [1234567890, '89005924', 'SHA1'],
  [1234567890, '91819424', 'SHA256'],
  [1234567890, '93441116', 'SHA512'],
  [2000000000, '69279037', 'SHA1'],
  [2000000000, '90698825', 'SHA256'],
  [2000000000, '38618901', 'SHA512'],
  [20000000000, '65353130', 'SHA1'],
  [20000000000, '77737706', 'SHA256'],
  [20000000000, '47863826', 'SHA512'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('appendix B: T=%i → %s (%s)', (seconds, expected, algorithm) => {
    const secret = Secret.fromLatin1(SEEDS[algorithm]);
    expect(TOTP.generate({ secret, algorithm, digits: 8, period: 30, timestamp: seconds * 1000 })).toBe(expected);
  });

  it('our 6-digit SHA-1 codes are the vectors truncated to 6 digits (same HOTP value mod 10^6), and match back to their step', () => {
    const base32 = Secret.fromLatin1(SEEDS.SHA1).base32;
    for (const [seconds, expected, algorithm] of VECTORS) {
      if (algorithm !== 'SHA1') continue;
      expect(totpCode(base32, seconds * 1000)).toBe(expected.slice(-6));
      expect(matchTotp(base32, expected.slice(-6), seconds * 1000)).toBe(totpStep(seconds * 1000));
    }
  });

  it('accepts the previous and next step (±30 s of drift) and nothing further', () => {
    const secret = newTotpSecret();
    const now = Date.UTC(2026, 0, 1, 12, 0, 15);
    const step = totpStep(now);
    for (const d of [-1, 0, 1]) expect(matchTotp(secret, totpCode(secret, now + d * 30_000), now)).toBe(step + d);
    for (const d of [-2, 2]) expect(matchTotp(secret, totpCode(secret, now + d * 30_000), now)).toBeNull();
    expect(matchTotp(secret, 'abcdef', now)).toBeNull();
    expect(matchTotp(secret, '1234567', now)).toBeNull();
  });

  it('makes 160-bit secrets and an otpauth URI authenticator apps read', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(otpauthUrl(secret, 'player@example.com', 'RetroSync'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/RetroSync:player@example.com');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ secret, issuer: 'RetroSync', algorithm: 'SHA1', digits: '6', period: '30' });
  });
});

describe('recovery codes', () => {
  it('are ten distinct xxxxx-xxxxx codes that read back however they are typed', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) {
      expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
      expect(normalizeRecoveryCode(` ${c.toUpperCase().replace('-', ' ')} `)).toBe(c.replace('-', ''));
    }
    expect(normalizeRecoveryCode('OOOOO-lllll')).toBe('0000011111');
    expect(normalizeRecoveryCode('abc')).toBeNull();
    expect(normalizeRecoveryCode('uuuuu-uuuuu')).toBeNull();
  });
});

describe('SecretBox (two-factor secrets at rest)', () => {
  const box = new SecretBox('server-secret-server-secret-server-secret');
  it('round-trips, and the sealed form does not contain the secret', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(sealed).toMatch(/^v1:/);
    expect(box.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
  });
  it('does not open under another server secret, for another user, or when damaged', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(new SecretBox('another-secret-another-secret-another').open(sealed, 'user-1')).toBeNull();
    expect(box.open(sealed, 'user-2')).toBeNull();
    expect(box.open(`${sealed.slice(0, -2)}AA`, 'user-1')).toBeNull();
    expect(box.open('garbage', 'user-1')).toBeNull();
  });
  it('keys recovery-code hashes with the server secret', () => {
    expect(box.mac('abcde12345')).toBe(box.mac('abcde12345'));
    expect(box.mac('abcde12345')).not.toBe(new SecretBox('another-secret-another-secret-another').mac('abcde12345'));
  });
});
