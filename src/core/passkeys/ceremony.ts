import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CoreDeps } from '../deps.ts';
import { hmacKey } from '../hmac-key.ts';
import { hashSecret } from '../sessions/session-token.ts';
import { AuthError } from '../errors.ts';
import type { PasskeyCeremonyPurpose, Store } from '../ports.ts';
import { passkeyChallengeTtlMs } from './passkey-policy.ts';

/** What a ceremony is bound to: the session that asked, the pending login, or the sign-up link. */
export type CeremonyBinding = { session: string } | { pendingLogin: string } | { signup: string } | null;

export interface StartedCeremony {
  /**
   * The ceremony cookie's value: `<challenge>.<expiresAtMs>.<mac>`, the MAC (HMAC-SHA-256 under a
   * key derived from the server secret) over the purpose, the account, what asked, the challenge
   * and the expiry. Nothing is stored when a ceremony starts.
   */
  ceremonyToken: string;
  /** The WebAuthn challenge (base64url, 256 random bits) to put into the options. */
  challenge: string;
}

/** A ceremony whose token checked out: its challenge, to verify the answer against, then use up once. */
export interface OpenedCeremony {
  challenge: string;
  expiresAtMs: number;
}

const tokenPattern = /^([A-Za-z0-9_-]{43})\.([0-9]{1,15})\.([A-Za-z0-9_-]{43})$/;

function bindingText(binding: CeremonyBinding): string {
  if (binding === null) return '';
  const [kind, value] = 'session' in binding ? ['session', binding.session] : 'pendingLogin' in binding ? ['pending-login', binding.pendingLogin] : ['signup', binding.signup];
  return `${kind} ${createHash('sha256').update(value).digest('base64url')}`;
}

function mac(key: Uint8Array, purpose: PasskeyCeremonyPurpose, userId: string | null, binding: CeremonyBinding, challenge: string, expiresAtMs: number): Buffer {
  return createHmac('sha256', hmacKey(key)).update(`gatehouse passkey ceremony v1\0${purpose}\0${userId ?? ''}\0${bindingText(binding)}\0${challenge}\0${expiresAtMs}`).digest();
}

/**
 * Starts a WebAuthn ceremony without writing anything: a fresh 256-bit challenge, and a token for
 * the HttpOnly ceremony cookie that binds it to `purpose`, the account and what asked, for 5
 * minutes (docs/security.md SEC-170..172). A page view that offers a passkey (/login, the second
 * step) is therefore free for the store: nobody can grow a table by loading pages (SEC-190).
 * The challenge is recorded only once it is answered (useUpCeremony), which makes it single use.
 */
export function startCeremony(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'accountSecurity'>,
  purpose: PasskeyCeremonyPurpose,
  userId: string | null,
  binding: CeremonyBinding,
): StartedCeremony {
  const key = deps.accountSecurity.passkeyCeremonyKeys[0];
  if (key === undefined) throw new Error('no passkey ceremony key');
  const challenge = Buffer.from(deps.random.bytes(32)).toString('base64url');
  const expiresAtMs = deps.clock.nowMs() + passkeyChallengeTtlMs;
  return { ceremonyToken: `${challenge}.${expiresAtMs}.${mac(key, purpose, userId, binding, challenge, expiresAtMs).toString('base64url')}`, challenge };
}

/**
 * Checks a ceremony token: made by this server (under any of its secrets, for rotation) for this
 * purpose, this account and what is asking now, and less than 5 minutes old. Anything else is
 * `passkey_challenge_invalid`. Whether it was answered before is decided when it is used up.
 */
export function openCeremony(
  deps: Pick<CoreDeps, 'clock' | 'accountSecurity'>,
  ceremonyToken: string | undefined,
  purpose: PasskeyCeremonyPurpose,
  userId: string | null,
  binding: CeremonyBinding,
): OpenedCeremony {
  const parts = ceremonyToken === undefined ? null : tokenPattern.exec(ceremonyToken);
  if (parts === null) throw new AuthError('passkey_challenge_invalid');
  const [, challenge = '', expiry = '', presented = ''] = parts;
  const expiresAtMs = Number(expiry);
  const given = Buffer.from(presented, 'base64url');
  const genuine = deps.accountSecurity.passkeyCeremonyKeys.some((key) => {
    const expected = mac(key, purpose, userId, binding, challenge, expiresAtMs);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!genuine || expiresAtMs <= deps.clock.nowMs()) throw new AuthError('passkey_challenge_invalid');
  return { challenge, expiresAtMs };
}

/**
 * Records the ceremony's challenge as answered, in the caller's transaction (with the outcome it
 * records), and says whether this was the first answer. Of two answers with one challenge, also
 * at the same moment, one gets true (single use, docs/security.md SEC-170). The record is kept
 * until the challenge would have expired anyway; housekeeping deletes it then.
 */
export async function useUpCeremony(tx: Pick<Store, 'usedPasskeyChallenges'>, ceremony: OpenedCeremony): Promise<boolean> {
  return tx.usedPasskeyChallenges.claim(hashSecret(ceremony.challenge), ceremony.expiresAtMs);
}

/**
 * Runs `work` in a transaction that first uses the ceremony's challenge up: a challenge already
 * answered is `passkey_challenge_invalid`, with nothing written. When `work` refuses (an
 * AuthError, rolling its writes back), the challenge is still used up, in a transaction of its
 * own: a ceremony is answered once, whatever the outcome (docs/security.md SEC-170).
 */
export async function answerOnce<T>(deps: Pick<CoreDeps, 'store'>, ceremony: OpenedCeremony, work: (tx: Store) => Promise<T>): Promise<T> {
  try {
    return await deps.store.transaction(async (tx) => {
      if (!(await useUpCeremony(tx, ceremony))) throw new AuthError('passkey_challenge_invalid');
      return work(tx);
    });
  } catch (error) {
    if (error instanceof AuthError && error.code !== 'passkey_challenge_invalid') await useUpCeremony(deps.store, ceremony);
    throw error;
  }
}
