import { createHash } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import type { CoreDeps } from '../deps.ts';
import type { User } from '../ports.ts';
import type { AuthenticationFactor } from '../sessions/authentication-methods.ts';
import { randomId } from '../sessions/session-token.ts';

/** A first step passed this long ago at most may still be finished with the second factor. */
export const pendingLoginTtlMs = 5 * 60 * 1000;

/** A login waiting for its second factor, as read back from the cookie. */
export interface PendingLogin {
  user: User;
  /** The record that makes it single use. */
  id: string;
  /** How the first step was passed: the password, an emailed code, or a provider. */
  factors: AuthenticationFactor[];
}

const firstFactors: ReadonlySet<string> = new Set<AuthenticationFactor>(['password', 'email_code', 'provider']);

/**
 * The state between the first step (password, emailed code or provider login) and the second
 * factor: a JWE (dir + A256GCM, by jose) under a key derived from the server secret, held in an
 * HttpOnly cookie. It names the user and grants nothing by itself: no session, no token, no page
 * (docs/security.md SEC-45). It dies after 5 minutes, with any change to the account (it carries
 * the account's `updatedAtMs`, which a password change or reset moves), and once it has been used
 * (a one-time record: SEC-106). Guessing the second factor is capped per account.
 */
export async function issuePendingLogin(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'store' | 'accountSecurity'>,
  user: User,
  first: { factors: readonly AuthenticationFactor[] },
): Promise<string> {
  const key = deps.accountSecurity.pendingLoginKeys[0];
  if (key === undefined) throw new Error('no pending-login key');
  const nowMs = deps.clock.nowMs();
  const nowSeconds = Math.floor(nowMs / 1000);
  const id = randomId(deps.random);
  await deps.store.oneTimeTokens.insert({
    id,
    userId: user.id,
    purpose: 'pending_login',
    email: user.email,
    secretHash: new Uint8Array(createHash('sha256').update(id).digest()),
    createdAtMs: nowMs,
    expiresAtMs: (nowSeconds + pendingLoginTtlMs / 1000) * 1000,
    usedAtMs: null,
  });
  return new EncryptJWT({ acct: user.updatedAtMs, f: [...first.factors] })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'gatehouse-pending-login' })
    .setSubject(user.id)
    .setJti(id)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + pendingLoginTtlMs / 1000)
    .encrypt(key);
}

/** The pending login, when it is intact, unexpired, unused and the account unchanged; else null. */
export async function readPendingLogin(deps: Pick<CoreDeps, 'clock' | 'accountSecurity' | 'store'>, token: string): Promise<PendingLogin | null> {
  for (const key of deps.accountSecurity.pendingLoginKeys) {
    let payload;
    try {
      const decrypted = await jwtDecrypt(token, key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        currentDate: new Date(deps.clock.nowMs()),
        requiredClaims: ['sub', 'exp', 'acct', 'jti', 'f'],
        clockTolerance: 0,
      });
      if (decrypted.protectedHeader.typ !== 'gatehouse-pending-login') return null;
      payload = decrypted.payload;
    } catch {
      continue; // Not under this key (or expired, or tampered): try the next secret.
    }
    const { sub, jti, f } = payload;
    if (typeof sub !== 'string' || typeof jti !== 'string' || !Array.isArray(f) || !f.every((x) => typeof x === 'string' && firstFactors.has(x))) return null;
    const record = await deps.store.oneTimeTokens.findById(jti);
    if (record === null || record.purpose !== 'pending_login' || record.userId !== sub || record.usedAtMs !== null) return null;
    const user = await deps.store.users.findById(sub);
    if (user === null || user.disabledAtMs !== null || user.updatedAtMs !== payload.acct) return null;
    return { user, id: jti, factors: f as AuthenticationFactor[] };
  }
  return null;
}

/** Uses the pending login up: true for the one caller that wins. */
export async function consumePendingLogin(deps: Pick<CoreDeps, 'clock' | 'store'>, pending: PendingLogin): Promise<boolean> {
  return deps.store.oneTimeTokens.consume(pending.id, deps.clock.nowMs());
}
