import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { Consent } from '../ports.ts';

/**
 * Records that the user allowed the app these scopes, adding them to what was allowed before:
 * the consent page is then shown again only for a scope not yet allowed. Audited as
 * `consent.granted` (the client and the scopes allowed this time) in the same transaction
 * (docs/security.md SEC-280).
 *
 * @example
 * await grantConsent(deps, user.id, client.id, ['openid', 'email'], requestContext(request));
 */
export async function grantConsent(
  deps: Pick<CoreDeps, 'store' | 'clock' | 'random'>,
  userId: string,
  clientId: string,
  scopes: readonly string[],
  context: RequestContext,
): Promise<Consent> {
  const nowMs = deps.clock.nowMs();
  return deps.store.transaction(async (tx) => {
    const previous = await tx.consents.find(userId, clientId);
    const consent: Consent = {
      userId,
      clientId,
      scopes: [...new Set([...(previous?.scopes ?? []), ...scopes])],
      grantedAtMs: previous?.grantedAtMs ?? nowMs,
      updatedAtMs: nowMs,
    };
    await tx.consents.upsert(consent);
    await tx.audit.append(auditEvent(deps, 'consent.granted', context, { userId, detail: `${clientId} ${[...new Set(scopes)].join(' ')}` }));
    return consent;
  });
}
