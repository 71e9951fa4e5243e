import type { CoreDeps } from './core/deps.ts';
import type { Store } from './core/ports.ts';
import { throttleRetentionMs } from './core/throttle/throttle-retention.ts';
import type { TokenDeps } from './core/tokens/issue-access-token.ts';

export interface HousekeepingParts {
  store: Store;
  deps: Pick<CoreDeps, 'sessionPolicy' | 'throttle' | 'accountSecurity'>;
  tokens: Pick<TokenDeps, 'keyRing'>;
}

/**
 * One round of housekeeping (main.ts runs it every 10 minutes): deletes what has expired, so
 * every table stays as small as its live rows. Throttle counters are kept as long as the
 * longest reset of every rule needs them (core/throttle/throttle-retention.ts).
 *
 * @example
 * await housekeep({ store, deps, tokens }, clock.nowMs());
 */
export async function housekeep({ store, deps, tokens }: HousekeepingParts, nowMs: number): Promise<void> {
  await Promise.all([
    store.sessions.deleteExpired(nowMs, deps.sessionPolicy.idleTimeoutMs),
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
    store.throttle.deleteStale(nowMs, throttleRetentionMs(deps.throttle.rules, deps.accountSecurity.policy)),
  ]);
}
