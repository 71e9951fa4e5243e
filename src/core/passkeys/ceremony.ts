import { timingSafeEqual } from 'node:crypto';
import type { CoreDeps } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { PasskeyCeremonyPurpose, PasskeyChallenge } from '../ports.ts';
import { hashSecret } from '../sessions/session-token.ts';
import { passkeyChallengeTtlMs } from './passkey-policy.ts';

/** What a ceremony is bound to: the session that asked, the pending login, or the sign-up link. */
export type CeremonyBinding = { session: string } | { pendingLogin: string } | { signup: string } | null;

export interface StartedCeremony {
  /** The ceremony cookie's value: 256 random bits, only SHA-256 of it is stored. */
  ceremonySecret: string;
  /** The WebAuthn challenge (base64url, 256 random bits) to put into the options. */
  challenge: string;
}

function bindingHash(binding: CeremonyBinding): Uint8Array | null {
  if (binding === null) return null;
  if ('session' in binding) return hashSecret(`session ${binding.session}`);
  if ('pendingLogin' in binding) return hashSecret(`pending-login ${binding.pendingLogin}`);
  return hashSecret(`signup ${binding.signup}`);
}

/**
 * Starts a WebAuthn ceremony: a fresh challenge, stored under SHA-256 of a new ceremony secret
 * that only the browser that asked receives (in an HttpOnly cookie), tied to `purpose`, the
 * account and what asked (docs/security.md SEC-170..172).
 */
export async function startCeremony(
  deps: Pick<CoreDeps, 'store' | 'clock' | 'random'>,
  purpose: PasskeyCeremonyPurpose,
  userId: string | null,
  binding: CeremonyBinding,
): Promise<StartedCeremony> {
  const ceremonySecret = Buffer.from(deps.random.bytes(32)).toString('base64url');
  const challenge = Buffer.from(deps.random.bytes(32)).toString('base64url');
  const nowMs = deps.clock.nowMs();
  await deps.store.passkeyChallenges.insert({
    idHash: hashSecret(ceremonySecret),
    purpose,
    userId,
    bindingHash: bindingHash(binding),
    challenge,
    createdAtMs: nowMs,
    expiresAtMs: nowMs + passkeyChallengeTtlMs,
  });
  return { ceremonySecret, challenge };
}

/** Whether a stored challenge was issued for this purpose, to what is asking now, less than 5 minutes ago. */
function isValidFor(record: PasskeyChallenge | null, purpose: PasskeyCeremonyPurpose, binding: CeremonyBinding, nowMs: number): record is PasskeyChallenge {
  if (record === null || record.purpose !== purpose || record.expiresAtMs <= nowMs) return false;
  const expected = bindingHash(binding);
  const bound = record.bindingHash;
  return expected === null || bound === null ? expected === bound : expected.length === bound.length && timingSafeEqual(expected, bound);
}

function ceremonyHash(ceremonySecret: string | undefined): Uint8Array {
  if (ceremonySecret === undefined || !/^[A-Za-z0-9_-]{43}$/.test(ceremonySecret)) throw new AuthError('passkey_challenge_invalid');
  return hashSecret(ceremonySecret);
}

/**
 * Takes the ceremony's challenge out of storage (single use: it is gone whatever happens next)
 * and checks it was issued for this purpose, to what is asking now, less than 5 minutes ago.
 * Anything else is `passkey_challenge_invalid`.
 */
export async function takeCeremony(
  deps: Pick<CoreDeps, 'store' | 'clock'>,
  ceremonySecret: string | undefined,
  purpose: PasskeyCeremonyPurpose,
  binding: CeremonyBinding,
): Promise<PasskeyChallenge> {
  const record = await deps.store.passkeyChallenges.take(ceremonyHash(ceremonySecret));
  if (!isValidFor(record, purpose, binding, deps.clock.nowMs())) throw new AuthError('passkey_challenge_invalid');
  return record;
}

/**
 * The same checks as takeCeremony, but a valid challenge is only read: the caller must take it
 * (`passkeyChallenges.take`, by `idHash`) whatever happens next, in the transaction that
 * records the outcome (verify-assertion.ts with `takeChallenge`), so a login commits once.
 * One that fails the checks is taken here, before `passkey_challenge_invalid`.
 */
export async function readCeremony(
  deps: Pick<CoreDeps, 'store' | 'clock'>,
  ceremonySecret: string | undefined,
  purpose: PasskeyCeremonyPurpose,
  binding: CeremonyBinding,
): Promise<PasskeyChallenge> {
  const idHash = ceremonyHash(ceremonySecret);
  const record = await deps.store.passkeyChallenges.find(idHash);
  if (isValidFor(record, purpose, binding, deps.clock.nowMs())) return record;
  if (record !== null) await deps.store.passkeyChallenges.take(idHash);
  throw new AuthError('passkey_challenge_invalid');
}
