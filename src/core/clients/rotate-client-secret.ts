import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { hashSecret } from '../sessions/session-token.ts';

const clientSecretBytes = 32;

/**
 * Gives a client that authenticates with a secret a new random one (256 bits), returned this
 * once and stored only as its SHA-256 hash: the old secret stops working at once. Audited with
 * the context (the operator's id from the console). A client without a secret (public, or
 * private_key_jwt) is `validation_failed`; an unknown id `not_found`.
 */
export async function rotateClientSecret(deps: CoreDeps, clientId: string, context: RequestContext): Promise<string> {
  const client = await deps.store.clients.findById(clientId);
  if (client === null) throw new AuthError('not_found', { detail: 'No client with this id.' });
  if (client.secretHash === null) throw new AuthError('validation_failed', { detail: 'This client authenticates without a secret, so there is none to rotate.' });
  const secret = Buffer.from(deps.random.bytes(clientSecretBytes)).toString('base64url');
  await deps.store.transaction(async (tx) => {
    if (!(await tx.clientMaintenance.setSecretHash(clientId, Buffer.from(hashSecret(secret)).toString('base64url')))) throw new AuthError('not_found', { detail: 'No client with this id.' });
    await tx.audit.append(auditEvent(deps, 'client.secret_rotated', context, { detail: `client ${clientId}` }));
  });
  return secret;
}
