import { logIn } from '../../credentials/log-in.ts';
import { AuthError } from '../../errors.ts';
import type { CoreDeps, RequestContext } from '../../deps.ts';
import type { Client } from '../../ports.ts';
import type { VerifiedDpopProof } from '../../dpop/verify-dpop-proof.ts';
import type { TokenDeps } from '../issue-access-token.ts';
import { issueAccessToken } from '../issue-access-token.ts';
import { issueRefreshToken, type IssuedTokenPair } from '../issue-token-pair.ts';

/**
 * `grant_type=password`: first-party clients only (the client must list the grant), and
 * switchable off. It is a password login in every respect (throttling, audit, a new session),
 * and the tokens commit with the session or not at all.
 */
export async function passwordGrant(
  deps: CoreDeps & TokenDeps,
  client: Client,
  input: { username: string; password: string; scope: string },
  context: RequestContext,
  proof: VerifiedDpopProof | null = null,
): Promise<IssuedTokenPair> {
  const dpopJkt = proof?.jkt ?? null;
  if (!deps.passwordGrantEnabled) throw new AuthError('unsupported_grant_type', { detail: 'The password grant is switched off.' });
  if (!client.grantTypes.includes('password')) throw new AuthError('unauthorized_client');
  let refreshToken: string | null = null;
  const { user, session } = await logIn(
    deps,
    {
      email: input.username,
      password: input.password,
      inSameTransaction: async (tx, started) => {
        refreshToken = await issueRefreshToken(deps, tx, { session: started.session, client, scope: input.scope, dpopJkt });
      },
    },
    context,
  );
  return { ...(await issueAccessToken(deps, { user, session, client, scope: input.scope, dpopJkt })), refreshToken };
}
