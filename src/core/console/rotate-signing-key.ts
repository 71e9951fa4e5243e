import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { TokenDeps } from '../tokens/issue-access-token.ts';

/**
 * The console's "rotate now": every key ring's rotation (a new key in the JWKS at once, signing
 * after the publish-ahead delay; the old one verifies until its tokens expire), audited with
 * the operator's id.
 */
export async function rotateSigningKey(deps: Pick<CoreDeps, 'store' | 'clock' | 'random'>, tokens: Pick<TokenDeps, 'keyRing' | 'idTokenKeys'>, context: RequestContext): Promise<Array<{ kid: string; activatesAtMs: number }>> {
  // Every ring rotates, as `gatehouse keys rotate` does: access tokens, and each ID token algorithm that has keys.
  const rotated = [await tokens.keyRing.rotate(), ...(await tokens.idTokenKeys.rotate())];
  for (const r of rotated) await deps.store.audit.append(auditEvent(deps, 'signing_key.rotated', context, { detail: `key ${r.kid}${r.retiredKid === null ? '' : `, retires ${r.retiredKid}`}` }));
  return rotated;
}
