import type { AuditEvent, Session, SessionWithUser, Store, ThrottleState, User } from '../../core/ports.ts';

interface Tables {
  users: Map<string, User>;
  sessions: Map<string, Session>;
  throttle: Map<string, ThrottleState>;
  audit: AuditEvent[];
}

function cloneTables(t: Tables): Tables {
  return { users: new Map(t.users), sessions: new Map(t.sessions), throttle: new Map(t.throttle), audit: [...t.audit] };
}

/**
 * The reference implementation of the storage ports, for fast unit tests. It passes the same
 * contract suite as SQLite. Transactions are serialized and roll back by restoring a snapshot.
 */
export function createMemoryStore(): Store {
  let tables: Tables = { users: new Map(), sessions: new Map(), throttle: new Map(), audit: [] };
  let queue: Promise<unknown> = Promise.resolve();

  const store: Store = {
    users: {
      async create(user) {
        for (const u of tables.users.values()) if (u.email === user.email) return 'email_taken';
        tables.users.set(user.id, { ...user });
        return 'created';
      },
      async findById(id) {
        const u = tables.users.get(id);
        return u === undefined ? null : { ...u };
      },
      async findByEmail(email) {
        for (const u of tables.users.values()) if (u.email === email) return { ...u };
        return null;
      },
      async updatePasswordHash(id, passwordHash, nowMs) {
        const u = tables.users.get(id);
        if (u !== undefined) tables.users.set(id, { ...u, passwordHash, updatedAtMs: nowMs });
      },
      async setDisabledAt(id, disabledAtMs, nowMs) {
        const u = tables.users.get(id);
        if (u === undefined) return false;
        tables.users.set(id, { ...u, disabledAtMs, updatedAtMs: nowMs });
        return true;
      },
      async delete(id) {
        for (const [sid, s] of tables.sessions) if (s.userId === id) tables.sessions.delete(sid);
        return tables.users.delete(id);
      },
      async list({ limit, afterEmail }) {
        return [...tables.users.values()]
          .filter((u) => afterEmail === undefined || u.email > afterEmail)
          .sort((a, b) => (a.email < b.email ? -1 : 1))
          .slice(0, limit)
          .map((u) => ({ ...u }));
      },
    },
    sessions: {
      async create(session) {
        if (tables.sessions.has(session.id)) throw new Error('duplicate session id');
        if (!tables.users.has(session.userId)) throw new Error('session for unknown user');
        tables.sessions.set(session.id, { ...session });
      },
      async findWithUser(id): Promise<SessionWithUser | null> {
        const session = tables.sessions.get(id);
        const user = session === undefined ? undefined : tables.users.get(session.userId);
        return session === undefined || user === undefined ? null : { session: { ...session }, user: { ...user } };
      },
      async touch(id, lastSeenAtMs) {
        const s = tables.sessions.get(id);
        if (s !== undefined) tables.sessions.set(id, { ...s, lastSeenAtMs });
      },
      async listByUser(userId) {
        return [...tables.sessions.values()].filter((s) => s.userId === userId).map((s) => ({ ...s }));
      },
      async delete(id) {
        return tables.sessions.delete(id);
      },
      async deleteByUser(userId, exceptId) {
        const ids = [...tables.sessions.values()].filter((s) => s.userId === userId && s.id !== exceptId).map((s) => s.id);
        for (const id of ids) tables.sessions.delete(id);
        return ids;
      },
      async deleteExpired(nowMs, idleTimeoutMs) {
        let n = 0;
        for (const [id, s] of tables.sessions) {
          if (nowMs >= s.expiresAtMs || nowMs >= s.lastSeenAtMs + idleTimeoutMs) {
            tables.sessions.delete(id);
            n++;
          }
        }
        return n;
      },
    },
    throttle: {
      async get(key) {
        const t = tables.throttle.get(key);
        return t === undefined ? null : { ...t };
      },
      async recordFailure(key, nowMs, resetAfterMs) {
        const t = tables.throttle.get(key);
        const next =
          t === undefined || nowMs - t.lastFailureAtMs > resetAfterMs
            ? { failures: 1, lastFailureAtMs: nowMs }
            : { failures: t.failures + 1, lastFailureAtMs: nowMs };
        tables.throttle.set(key, next);
        return { ...next };
      },
      async clear(key) {
        tables.throttle.delete(key);
      },
      async deleteStale(nowMs, resetAfterMs) {
        let n = 0;
        for (const [k, t] of tables.throttle) {
          if (nowMs - t.lastFailureAtMs > resetAfterMs) {
            tables.throttle.delete(k);
            n++;
          }
        }
        return n;
      },
    },
    audit: {
      async append(event) {
        tables.audit.push({ ...event });
      },
      async list({ limit, userId }) {
        return tables.audit
          .filter((e) => userId === undefined || e.userId === userId)
          .sort((a, b) => b.atMs - a.atMs)
          .slice(0, limit)
          .map((e) => ({ ...e }));
      },
    },
    transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        const snapshot = cloneTables(tables);
        try {
          return await work(store);
        } catch (error) {
          tables = snapshot;
          throw error;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    async ping() {},
    async close() {},
  };
  return store;
}
