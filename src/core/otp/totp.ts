import { HOTP, Secret, TOTP } from 'otpauth';
import type { Random } from '../ports.ts';

/**
 * TOTP (RFC 6238) through the maintained `otpauth` library; nothing here computes an HMAC or
 * truncates by hand. Time always comes from the caller (the injected clock): the library's own
 * Date.now() default is never used, so tests drive every step and the client's clock is
 * ignored (docs/security.md SEC-41).
 *
 * Gatehouse's authenticators use the settings every authenticator app supports: SHA-1, 6
 * digits, 30-second steps. The parameters exist so the RFC test vectors run through this path.
 */
export interface TotpParameters {
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  periodSeconds: number;
}

export const authenticatorTotp: TotpParameters = Object.freeze({ algorithm: 'SHA1', digits: 6, periodSeconds: 30 });

/** The time step (RFC 6238's T) at `timestampMs`. */
export function totpStep(timestampMs: number, parameters: TotpParameters = authenticatorTotp): number {
  return TOTP.counter({ period: parameters.periodSeconds, timestamp: timestampMs });
}

/** The code of one step, for a base32 secret. */
export function totpCodeAtStep(secretBase32: string, step: number, parameters: TotpParameters = authenticatorTotp): string {
  return HOTP.generate({ secret: Secret.fromBase32(secretBase32), algorithm: parameters.algorithm, digits: parameters.digits, counter: step });
}

/** The code at `timestampMs`. */
export function totpCodeAt(secretBase32: string, timestampMs: number, parameters: TotpParameters = authenticatorTotp): string {
  return totpCodeAtStep(secretBase32, totpStep(timestampMs, parameters), parameters);
}

/**
 * The step a presented code belongs to, trying the current step T and the previous one T-1
 * only (a code typed just before the step turned); T+1 and anything further off are refused.
 * Comparison is the library's constant-time one. Null when no step matches. The caller must
 * still refuse a step at or before the last one used (see TotpStore.useStep).
 */
export function matchTotpStep(secretBase32: string, code: string, nowMs: number, parameters: TotpParameters = authenticatorTotp): number | null {
  if (!new RegExp(`^\\d{${parameters.digits}}$`).test(code)) return null;
  const current = totpStep(nowMs, parameters);
  const secret = Secret.fromBase32(secretBase32);
  for (const step of [current, current - 1]) {
    if (HOTP.validate({ token: code, secret, algorithm: parameters.algorithm, digits: parameters.digits, counter: step, window: 0 }) === 0) return step;
  }
  return null;
}

/** A new secret: 160 random bits (RFC 4226's recommended length), as base32. */
export function generateTotpSecret(random: Random): string {
  const bytes = random.bytes(20);
  return new Secret({ buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer }).base32;
}

/** The otpauth:// URI an authenticator app reads (from the QR code, or typed). */
export function otpauthUri(secretBase32: string, issuer: string, accountName: string): string {
  return new TOTP({ issuer, label: accountName, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: 30 }).toString();
}
