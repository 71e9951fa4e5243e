import type { CoreDeps } from '../../src/core/deps.ts';
import type { SessionWithUser, User } from '../../src/core/ports.ts';
import { hasStrongSecondFactor } from '../../src/core/operators/operator-access.ts';
import { finishPasskeyRegistration, startPasskeyRegistration } from '../../src/core/passkeys/register-passkey.ts';
import { seedSession, seedUser, testContext, testPublicUrl } from './core-deps.ts';
import { createSoftAuthenticator, type SoftAuthenticator } from './soft-authenticator.ts';

/** A signed-in account (seeded user and session) for passkey tests. */
export async function signedInAccount(core: CoreDeps, email: string): Promise<SessionWithUser & { token: string }> {
  const user: User = await seedUser(core, email);
  const started = await seedSession(core, user.id);
  return { user, session: started.session, token: started.token };
}

/** Registers a passkey for `current` through the core, with a soft authenticator (made unless given). */
export async function registerSoftPasskey(
  core: CoreDeps,
  current: SessionWithUser,
  authenticator: SoftAuthenticator = createSoftAuthenticator({ origin: testPublicUrl }),
  name = 'Test key',
): Promise<{ authenticator: SoftAuthenticator; passkeyId: string }> {
  // A second way in is added by a session that proved the account's factor, not by the password
  // alone (docs/security.md SEC-168): as if this session had re-authenticated with a passkey.
  const adding = (await hasStrongSecondFactor(core, current.user.id)) ? { ...current, session: { ...current.session, amr: [...new Set([...current.session.amr, 'hwk', 'user'])].sort() } } : current;
  const { ceremonyToken, options } = await startPasskeyRegistration(core, adding, testContext());
  const passkey = await finishPasskeyRegistration(core, adding, { ceremonyToken, name, response: authenticator.register(options) }, testContext());
  return { authenticator, passkeyId: passkey.id };
}
