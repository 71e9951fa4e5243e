import type { Client, Clock, SessionWithUser, Store } from '../core/ports.ts';
import { clearingOnWrites } from '../core/clearing-on-writes.ts';
import { overlayStore, wrapRepositories, type RepositoryWrappers } from '../core/lazy-store.ts';

export interface SessionCacheOptions {
  /** How long a looked-up session is served from memory: the bound on how stale another instance may be. At most 1000. */
  ttlMs: number;
  clock: Clock;
  /** Entries kept at most; the oldest go first. */
  maxEntries?: number;
  /**
   * A counter that moves whenever another process commits to the database (SQLite's
   * `PRAGMA data_version` on the writer connection). With it, an entry is served only while the
   * counter has not moved since it was read, so writes from outside this process (another
   * instance on the same file, a CLI command) are seen within a millisecond, not `ttlMs`: the
   * counter is read at most once per clock millisecond, since reading it costs about as much as
   * the lookup it saves (it takes SQLite's WAL read lock).
   */
  externalWrites?: () => number;
}

interface Entry {
  value: SessionWithUser;
  expiresAtMs: number;
  externalWrites: number;
}

interface ClientEntry {
  value: Client;
  expiresAtMs: number;
  externalWrites: number;
}

/** Registered clients are few; a bound all the same, oldest first out. */
const maxClientEntries = 10_000;

/** A copy for the caller: callers may build on what they get, never change what is cached. */
function copy(value: SessionWithUser): SessionWithUser {
  return { user: { ...value.user }, session: { ...value.session } };
}

/**
 * What is cached: a copy, frozen (its `amr` too), so the one `sessionFromMemory` hands out as it
 * is cannot be changed through it either (the secret's hash is the stored hash's copy, and never written).
 */
function frozen(value: SessionWithUser): SessionWithUser {
  const session = Object.freeze({ ...value.session, amr: Object.freeze([...value.session.amr]) });
  return Object.freeze({ user: Object.freeze({ ...value.user }), session });
}

// Methods that change nothing a session check reads (or, for create and touch, only add what the
// cache can follow). Every other method of these stores, including any added later, clears the
// cache: an unknown write is assumed to matter.
const harmless: Record<'users' | 'sessions' | 'revocations' | 'clients' | 'clientMaintenance', ReadonlySet<string>> = {
  users: new Set(['create', 'findById', 'findByEmail', 'list']),
  sessions: new Set(['create', 'findWithUser', 'touch', 'listByUser', 'listExpired']),
  revocations: new Set(['listAfter', 'latestSeq', 'hasJti', 'sessionEndReason', 'deleteExpired', 'watch']),
  // Client lookups (below): every write to a client, through either repository, clears them.
  clients: new Set(['findById', 'list']),
  clientMaintenance: new Set(),
};

/**
 * An in-process cache of session checks. A session check is served from memory for at most
 * `ttlMs`. On SQLite it is always on and exact (see `externalWrites`); on PostgreSQL, where the
 * database is a network hop away, it is opt-in, bounded by `ttlMs` for other instances' writes.
 *
 * - **This instance never serves a revoked session.** Every write that could end a session or
 *   change its user (logout, revocation, password change, disable, delete; any write not known to
 *   be harmless) clears the whole cache, before and after it runs, and again when its transaction
 *   commits. A lookup that began before a clear is never cached after it.
 * - **Other instances serve it for at most `ttlMs`** (capped at one second): the bound the
 *   scale-out design promises for a revoked session on every instance.
 * - Inside a transaction the cache is bypassed, so a transaction reads its own writes.
 * - **Client lookups** (`clients.findById`, at every token and authorization request) are cached
 *   the same way, with the same bounds: every write to a client (create, delete, new redirect
 *   URIs, a rotated secret, any write method added later) clears them, and so do other
 *   processes' commits on SQLite.
 *
 * @example
 * const store = withSessionCache(await openStore(config, { migrate: 'on-open' }), { ttlMs: 1000, clock: systemClock });
 */
export function withSessionCache(store: Store, options: SessionCacheOptions): Store {
  if (!(options.ttlMs > 0 && options.ttlMs <= 1000)) throw new RangeError('the session cache lifetime is 1 to 1000 ms');
  const maxEntries = options.maxEntries ?? 100_000;
  const readExternalWrites = options.externalWrites;
  let externalWritesAtMs = Number.NaN;
  let externalWritesSeen = 0;
  const externalWrites = (nowMs: number): number => {
    if (readExternalWrites === undefined) return 0;
    if (nowMs !== externalWritesAtMs) {
      externalWritesSeen = readExternalWrites();
      externalWritesAtMs = nowMs;
    }
    return externalWritesSeen;
  };
  const cache = new Map<string, Entry>();
  let generation = 0;
  const clear = (): void => {
    cache.clear();
    generation++;
  };
  const clients = new Map<string, ClientEntry>();
  let clientGeneration = 0;
  const clearClients = (): void => {
    clients.clear();
    clientGeneration++;
  };

  const clearingWith = (sessions: () => void, ofClients: () => void): RepositoryWrappers => ({
    users: (repository) => clearingOnWrites(repository, harmless.users, sessions),
    sessions: (repository) => clearingOnWrites(repository, harmless.sessions, sessions),
    revocations: (repository) => clearingOnWrites(repository, harmless.revocations, sessions),
    clients: (repository) => clearingOnWrites(repository, harmless.clients, ofClients),
    clientMaintenance: (repository) => clearingOnWrites(repository, harmless.clientMaintenance, ofClients),
  });
  // Writes inside a transaction clear at once, and once more after the commit (or rollback): a
  // lookup between the write and the commit read the row as it was. A transaction that wrote
  // nothing a cache holds (most: a code exchange, a refresh) leaves that cache as it is.
  const transaction = <T>(work: (tx: Store) => Promise<T>): Promise<T> => {
    let wroteSessions = false;
    let wroteClients = false;
    const wrappers = clearingWith(
      () => {
        wroteSessions = true;
        clear();
      },
      () => {
        wroteClients = true;
        clearClients();
      },
    );
    return store
      .transaction((tx) => {
        const wrapped = overlayStore(tx, wrappers, (inner) => inner(wrapped));
        return work(wrapped);
      })
      .finally(() => {
        if (wroteSessions) clear();
        if (wroteClients) clearClients();
      });
  };
  const root: Store = { ...store, ...wrapRepositories(store, clearingWith(clear, clearClients)), transaction };

  // An entry still served: not past its ttl, and no other process has committed since it was read.
  const fresh = (id: string, nowMs: number): Entry | undefined => {
    const hit = cache.get(id);
    return hit !== undefined && hit.expiresAtMs > nowMs && hit.externalWrites === externalWrites(nowMs) ? hit : undefined;
  };

  return {
    ...root,
    // The same hit as findWithUser's below, without a promise and without a copy (it is frozen):
    // the session check's fast path, which may keep what it derives from it by its identity.
    sessionFromMemory(id) {
      return fresh(id, options.clock.nowMs())?.value;
    },
    sessions: {
      ...root.sessions,
      async findWithUser(id) {
        const nowMs = options.clock.nowMs();
        const hit = fresh(id, nowMs);
        if (hit !== undefined) return copy(hit.value);
        // Read before the lookup: a commit elsewhere during it moves the counter past this value.
        const writesBefore = externalWrites(nowMs);
        const startedAt = generation;
        const found = await store.sessions.findWithUser(id);
        if (found !== null && startedAt === generation) {
          cache.delete(id);
          // Insertion order is expiry order (one ttl for all): drop the expired from the front,
          // so the cache holds about one ttl's worth of sessions, not maxEntries of stale ones.
          for (const [oldId, oldest] of cache) {
            if (oldest.expiresAtMs > nowMs && cache.size < maxEntries) break;
            cache.delete(oldId);
          }
          cache.set(id, { value: frozen(found), expiresAtMs: nowMs + options.ttlMs, externalWrites: writesBefore });
        }
        return found;
      },
      async touch(id, lastSeenAtMs) {
        await store.sessions.touch(id, lastSeenAtMs);
        // Follow the write, so the next check does not touch again.
        const hit = cache.get(id);
        if (hit !== undefined) hit.value = frozen({ user: hit.value.user, session: { ...hit.value.session, lastSeenAtMs } });
      },
    },
    clients: {
      ...root.clients,
      // The client lookup of every token request and authorization request; clients change rarely.
      async findById(id) {
        const nowMs = options.clock.nowMs();
        const hit = clients.get(id);
        if (hit !== undefined && hit.expiresAtMs > nowMs && hit.externalWrites === externalWrites(nowMs)) return { ...hit.value };
        const writesBefore = externalWrites(nowMs);
        const startedAt = clientGeneration;
        const found = await store.clients.findById(id);
        if (found !== null && startedAt === clientGeneration) {
          if (clients.size >= maxClientEntries) clients.delete(clients.keys().next().value as string);
          clients.set(id, { value: { ...found }, expiresAtMs: nowMs + options.ttlMs, externalWrites: writesBefore });
        }
        return found;
      },
    },
  };
}
