import type { Clock, Random, Store } from '../ports.ts';
import { randomId } from '../sessions/session-token.ts';
import type { TraceRecorder } from '../trace/ports.ts';
import { backchannelTargets } from './backchannel-targets.ts';

/** The outbox kind of back-channel logout deliveries (core/logout/backchannel-logout-kind.ts sends them). */
export const backchannelLogoutKindName = 'backchannel_logout';

/** What a back-channel logout delivery stores; its logout token is signed at each attempt. */
export interface BackchannelLogoutPayload {
  clientId: string;
  sub: string;
  sid: string;
}

/**
 * Queues a back-channel logout for every app that was issued tokens under each ended session,
 * in the transaction that ends them (core/sessions/end-sessions.ts): the logouts commit with the
 * session end and its revocation entry, or not at all, and the outbox delivers them across
 * restarts with retries (docs/security.md SEC-225). With `onlyClientId`, only that app is queued
 * one (its access revoked by the user, the sessions live on). Returns how many it queued.
 */
export async function enqueueBackchannelLogouts(
  deps: { clock: Clock; random: Random; trace?: TraceRecorder },
  tx: Store,
  sessionIds: readonly string[],
  options: { onlyClientId?: string } = {},
): Promise<number> {
  const nowMs = deps.clock.nowMs();
  let queued = 0;
  for (const sid of sessionIds) {
    // One app's access revoked (core/connected-apps/connected-apps.ts): only that app is told.
    const issued = (await tx.sessionClients.listClientsForSession(sid)).filter((entry) => options.onlyClientId === undefined || entry.clientId === options.onlyClientId);
    if (issued.length === 0) continue;
    const clients = [];
    // One after another: a transaction is one connection.
    for (const entry of issued) clients.push(await tx.clients.findById(entry.clientId));
    // Every entry of one session names the same user: the session's.
    for (const target of backchannelTargets(sid, issued[0]!.userId, clients)) {
      const payload: BackchannelLogoutPayload = { clientId: target.clientId, sub: target.sub, sid: target.sid };
      await tx.deliveries.enqueue({
        id: randomId(deps.random),
        kind: backchannelLogoutKindName,
        targetUrl: target.uri,
        payload: JSON.stringify(payload),
        subject: target.clientId,
        createdAtMs: nowMs,
        nextAttemptAtMs: nowMs,
      });
      deps.trace?.step({
        kind: 'revocation',
        title: `Back-channel logout queued for ${target.clientId}`,
        outcome: 'info',
        detail: { to: target.uri, sid: target.sid, delivery: 'written to the outbox in this transaction; sent after commit, retried until the app answers 2xx' },
        teach: 'backchannel-logout',
      });
      queued++;
    }
  }
  return queued;
}
