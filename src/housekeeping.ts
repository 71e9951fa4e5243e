import type { CoreDeps } from './core/deps.ts';
import { endExpiredSessions } from './core/sessions/end-expired-sessions.ts';
import type { Store } from './core/ports.ts';
import { throttleRetentionMs } from './core/throttle/throttle-retention.ts';
import type { TokenDeps } from './core/tokens/issue-access-token.ts';

export interface HousekeepingParts {
  store: Store;
  deps: Pick<CoreDeps, 'clock' | 'random' | 'sessionPolicy' | 'trace' | 'throttle' | 'accountSecurity'>;
  tokens: Pick<TokenDeps, 'keyRing'>;
}

/**
 * One round of housekeeping (main.ts runs it every 10 minutes): ends expired sessions and deletes what has expired, so
 * every table stays as small as its live rows. Throttle counters are kept as long as the
 * longest reset of every rule needs them (core/throttle/throttle-retention.ts).
 *
 * @example
 * await housekeep({ store, deps, tokens }, clock.nowMs());
 */
export async function housekeep({ store, deps, tokens }: HousekeepingParts, nowMs: number): Promise<void> {
  await Promise.all([
    // Ended one by one, not deleted in bulk: the feed, the session.ended webhook and the
    // back-channel logouts learn of an expiry as of any other end. Which apps a session issued
    // tokens to is dropped only after that (the back-channel logouts read it).
    endExpiredSessions(deps, store, nowMs).then(() => store.sessionClients.deleteExpired(nowMs)),
    tokens.keyRing.deleteExpired(),
    store.refreshTokens.deleteExpired(nowMs),
    store.revocations.deleteExpired(nowMs),
    store.oauthFlows.deleteExpired(nowMs),
    store.oneTimeTokens.deleteExpired(nowMs),
    store.emailCodes.deleteExpired(nowMs),
    store.usedPasskeyChallenges.deleteExpired(nowMs),
    // Finished deliveries stay a month, for the operator to look at (and retry the dead ones).
    store.deliveries.deleteCompletedBefore(nowMs - 30 * 24 * 3_600_000),
    store.replayRecords.deleteExpired(nowMs),
    store.pushedAuthorizationRequests.deleteExpired(nowMs),
    store.pendingAuthorizations.deleteExpired(nowMs),
    store.authorizationCodes.deleteExpired(nowMs),
    store.throttle.deleteStale(nowMs, throttleRetentionMs(deps.throttle.rules, deps.accountSecurity.policy)),
  ]);
}
