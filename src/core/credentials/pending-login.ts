import { EncryptJWT, jwtDecrypt } from 'jose';
import type { CoreDeps } from '../deps.ts';
import type { User } from '../ports.ts';

/** A password step passed this long ago at most may still be finished with the second factor. */
export const pendingLoginTtlMs = 5 * 60 * 1000;

/**
 * The state between the password and the second factor: a JWE (dir + A256GCM, by jose) under a
 * key derived from the server secret, held in an HttpOnly cookie. It names the user and grants
 * nothing by itself: no session, no token, no page (docs/security.md SEC-45). It dies after 5 minutes, and
 * with any change to the account (it carries the account's `updatedAtMs`, which a password change
 * or reset moves). Guessing the second factor is capped per account, not per pending login.
 */
export async function issuePendingLogin(deps: Pick<CoreDeps, 'clock' | 'accountSecurity'>, user: User): Promise<string> {
  const key = deps.accountSecurity.pendingLoginKeys[0];
  if (key === undefined) throw new Error('no pending-login key');
  const nowSeconds = Math.floor(deps.clock.nowMs() / 1000);
  return new EncryptJWT({ acct: user.updatedAtMs })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'gatehouse-pending-login' })
    .setSubject(user.id)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + pendingLoginTtlMs / 1000)
    .encrypt(key);
}

/** The user a pending login is for, when it is intact, unexpired and the account unchanged; else null. */
export async function readPendingLogin(deps: Pick<CoreDeps, 'clock' | 'accountSecurity' | 'store'>, token: string): Promise<User | null> {
  for (const key of deps.accountSecurity.pendingLoginKeys) {
    try {
      const { payload, protectedHeader } = await jwtDecrypt(token, key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        currentDate: new Date(deps.clock.nowMs()),
        requiredClaims: ['sub', 'exp', 'acct'],
        clockTolerance: 0,
      });
      if (protectedHeader.typ !== 'gatehouse-pending-login' || typeof payload.sub !== 'string') return null;
      const user = await deps.store.users.findById(payload.sub);
      if (user === null || user.disabledAtMs !== null || user.updatedAtMs !== payload.acct) return null;
      return user;
    } catch {
      // Not under this key (or expired, or tampered): try the next secret.
    }
  }
  return null;
}
