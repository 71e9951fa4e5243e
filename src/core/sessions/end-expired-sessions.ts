import type { CoreDeps } from '../deps.ts';
import type { Store } from '../ports.ts';
import { endSessions } from './end-sessions.ts';

/** Sessions ended per transaction: bounded, so one housekeeping round never holds a long write lock. */
const batchSize = 200;

/**
 * Ends the sessions whose absolute or idle limit has passed, through `endSessions` with the
 * cause `expired`, as any other end: the row goes, the feed learns the `sid`, the `session.ended`
 * webhook carries the cause, and the apps issued tokens under the session get a back-channel
 * logout. Housekeeping runs it; returns how many sessions were ended.
 *
 * @example
 * const ended = await endExpiredSessions(deps, store, clock.nowMs());
 */
export async function endExpiredSessions(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'sessionPolicy' | 'trace'>,
  store: Store,
  nowMs: number,
): Promise<number> {
  let ended = 0;
  for (;;) {
    const ids = await store.sessions.listExpired(nowMs, deps.sessionPolicy.idleTimeoutMs, batchSize);
    if (ids.length === 0) return ended;
    await store.transaction((tx) => endSessions(deps, tx, ids, 'expired'));
    ended += ids.length;
    if (ids.length < batchSize) return ended;
  }
}
