import { auditEvent } from '../audit/audit-event.ts';
import { AuthError } from '../errors.ts';
import type { RequestContext } from '../deps.ts';
import type { Clock, Random, Store } from '../ports.ts';

/**
 * An operator sends a dead delivery again: the same id (so a receiver that did get it once
 * deduplicates), due now, with a new retry window. Audited.
 */
export async function retryDelivery(
  deps: { store: Store; clock: Clock; random: Random },
  deliveryId: string,
  context: RequestContext,
): Promise<void> {
  await deps.store.transaction(async (tx) => {
    if (!(await tx.deliveries.retry(deliveryId, deps.clock.nowMs()))) throw new AuthError('delivery_not_found');
    await tx.audit.append(auditEvent(deps, 'delivery.retried', context, { detail: deliveryId }));
  });
}
