import type { CoreDeps } from '../deps.ts';
import type { Consent } from '../ports.ts';

/**
 * Records that the user allowed the app these scopes, adding them to what was allowed before:
 * the consent page is then shown again only for a scope not yet allowed.
 *
 * @example
 * await grantConsent(deps, user.id, client.id, ['openid', 'email']);
 */
export async function grantConsent(deps: Pick<CoreDeps, 'store' | 'clock'>, userId: string, clientId: string, scopes: readonly string[]): Promise<Consent> {
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
    return consent;
  });
}
