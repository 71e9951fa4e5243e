import type { Client, RefreshTokenRecord, Session, Store, User } from '../../src/core/ports.ts';
import { createClient } from '../../src/core/clients/create-client.ts';
import { parseSessionToken } from '../../src/core/sessions/session-token.ts';
import type { TokenDeps } from '../../src/core/tokens/issue-access-token.ts';
import { issueRefreshToken } from '../../src/core/tokens/issue-token-pair.ts';
import { createTestCore, seedSession, seedUser, type TestCore } from './core-deps.ts';
import { createTestTokenDeps } from './http-app.ts';

/** A test core with JWT mode on: the memory store, the manual clock, a signing key ready. */
export interface TokenCore {
  core: TestCore;
  deps: TestCore & TokenDeps;
  /** A public client with every grant (refresh tokens in the body). */
  client: Client;
  /** A second such client, for "another client's token". */
  otherClient: Client;
}

/**
 * The core-level token tests' setup: no HTTP, the injected clock moves by hand; the memory
 * store unless `store` is given.
 *
 * @example
 * const t = await createTokenCore();
 * const { refreshToken } = await signInWithRefreshToken(t, 'a@example.com');
 */
export async function createTokenCore(options: { store?: Store } = {}): Promise<TokenCore> {
  const core = await createTestCore(options.store === undefined ? {} : { store: options.store });
  const tokens = createTestTokenDeps(core);
  await tokens.keyRing.ensureKey();
  const deps = { ...core, ...tokens, clock: core.clock };
  const app = async (id: string): Promise<Client> =>
    (await createClient(core, { id, name: id, type: 'public', grantTypes: ['password', 'refresh_token', 'session'], audience: 'https://api.test' })).client;
  return { core, deps, client: await app('app'), otherClient: await app('other-app') };
}

/** A user with a session and the first refresh token of a new family, issued to `client` (default: t.client). */
export async function signInWithRefreshToken(
  t: TokenCore,
  email: string,
  client: Client = t.client,
): Promise<{ user: User; session: Session; refreshToken: string }> {
  const user = await seedUser(t.core, email);
  const { session } = await seedSession(t.core, user.id);
  const refreshToken = await t.core.store.transaction((tx) => issueRefreshToken(t.deps, tx, { session, client, scope: '' }));
  if (refreshToken === null) throw new Error('the client may not refresh');
  return { user, session, refreshToken };
}

/** The stored record of a refresh token. */
export async function recordOf(t: TokenCore, refreshToken: string): Promise<RefreshTokenRecord | null> {
  const parsed = parseSessionToken(refreshToken);
  if (parsed === null) throw new Error('not a refresh token');
  return t.core.store.refreshTokens.findById(parsed.id);
}
