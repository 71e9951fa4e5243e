import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { TokenDeps } from '../tokens/issue-access-token.ts';

/**
 * The console's "rotate now": the key ring's rotation (a new key in the JWKS at once, signing
 * after the publish-ahead delay; the old one verifies until its tokens expire), audited with
 * the operator's id.
 */
export async function rotateSigningKey(deps: Pick<CoreDeps, 'store' | 'clock' | 'random'>, tokens: Pick<TokenDeps, 'keyRing'>, context: RequestContext): Promise<{ kid: string; activatesAtMs: number }> {
  const rotated = await tokens.keyRing.rotate();
  await deps.store.audit.append(auditEvent(deps, 'signing_key.rotated', context, { detail: `key ${rotated.kid}${rotated.retiredKid === null ? '' : `, retires ${rotated.retiredKid}`}` }));
  return rotated;
}
