import { hash, timingSafeEqual } from 'node:crypto';
import type { CoreDeps } from '../deps.ts';
import type { RecoveryCodeRecord, Store, User } from '../ports.ts';
import { randomId } from '../sessions/session-token.ts';

export const recoveryCodeCount = 10;
// Crockford-like base32 without look-alikes (no I, L, O, U): easy to read off paper.
const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789';

/** Uppercase, without spaces or dashes: how codes are compared and hashed. */
export function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

function hashRecoveryCode(code: string): Uint8Array {
  return new Uint8Array(hash('sha256', normalizeRecoveryCode(code), 'buffer'));
}

/** One code: 16 characters of a 32-letter alphabet (80 random bits), as XXXX-XXXX-XXXX-XXXX. */
function newRecoveryCode(deps: Pick<CoreDeps, 'random'>): string {
  const bytes = deps.random.bytes(16);
  const chars = [...bytes].map((b) => alphabet[b % 32]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

/**
 * Makes 10 new recovery codes, replacing the old ones (inside `tx`). Only their SHA-256 is
 * stored: 80 random bits each, so a fast hash is enough. The codes are returned once, to be
 * shown to the user, and never logged (docs/security.md SEC-46).
 */
export async function replaceRecoveryCodes(deps: Pick<CoreDeps, 'random' | 'clock'>, tx: Store, user: User): Promise<string[]> {
  const codes = Array.from({ length: recoveryCodeCount }, () => newRecoveryCode(deps));
  const nowMs = deps.clock.nowMs();
  const records: RecoveryCodeRecord[] = codes.map((code) => ({ id: randomId(deps.random), userId: user.id, codeHash: hashRecoveryCode(code), createdAtMs: nowMs, usedAtMs: null }));
  await tx.recoveryCodes.replace(user.id, records);
  return codes;
}

/** The unused stored code that `code` matches (every candidate compared in constant time), or null. */
export async function findRecoveryCode(deps: Pick<CoreDeps, 'store'>, userId: string, code: string): Promise<RecoveryCodeRecord | null> {
  const presented = hashRecoveryCode(code);
  let found: RecoveryCodeRecord | null = null;
  for (const record of await deps.store.recoveryCodes.listByUser(userId)) {
    if (record.usedAtMs === null && timingSafeEqual(presented, record.codeHash)) found = record;
  }
  return found;
}
