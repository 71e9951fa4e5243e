import { nextThrottleState, remainingLockMs } from '../../core/throttle/throttle.ts';
import { currentKey } from '../../core/tokens/key-ring.ts';
import type { Client, OAuthFlow, OAuthIdentity, EmailCodeRecord, OneTimeTokenRecord, RecoveryCodeRecord, TotpCredential, RefreshTokenRecord, Revocation, SigningKeyRecord, AuditEvent, Session, SessionWithUser, Store, ThrottleState, User } from '../../core/ports.ts';

interface Tables {
  users: Map<string, User>;
  sessions: Map<string, Session>;
  throttle: Map<string, ThrottleState>;
  audit: AuditEvent[];
  signingKeys: Map<string, SigningKeyRecord>;
  clients: Map<string, Client>;
  refreshTokens: Map<string, RefreshTokenRecord>;
  revocations: Revocation[];
  revocationSeq: number;
  oauthIdentities: Map<string, OAuthIdentity>;
  /** Keyed on the hex of the flow's id hash. */
  oauthFlows: Map<string, OAuthFlow>;
  oneTimeTokens: Map<string, OneTimeTokenRecord>;
  emailVerifications: Map<string, { email: string; verifiedAtMs: number }>;
  emailCodes: Map<string, EmailCodeRecord>;
  totp: Map<string, TotpCredential>;
  recoveryCodes: Map<string, RecoveryCodeRecord>;
}

function cloneTables(t: Tables): Tables {
  return {
    users: new Map(t.users),
    sessions: new Map(t.sessions),
    throttle: new Map(t.throttle),
    audit: [...t.audit],
    signingKeys: new Map(t.signingKeys),
    clients: new Map(t.clients),
    refreshTokens: new Map(t.refreshTokens),
    revocations: [...t.revocations],
    revocationSeq: t.revocationSeq,
    oauthIdentities: new Map(t.oauthIdentities),
    oauthFlows: new Map(t.oauthFlows),
    oneTimeTokens: new Map(t.oneTimeTokens),
    emailVerifications: new Map(t.emailVerifications),
    emailCodes: new Map(t.emailCodes),
    totp: new Map(t.totp),
    recoveryCodes: new Map(t.recoveryCodes),
  };
}

const copySession = (s: Session): Session => ({ ...s, secretHash: new Uint8Array(s.secretHash) });

type Repositories = Omit<Store, 'transaction' | 'ping' | 'close'>;

/** Wraps every method of every repository so it runs through `run`. */
function through(repositories: Repositories, run: <T>(call: () => Promise<T>) => Promise<T>): Repositories {
  const wrap = <R extends object>(repository: R): R =>
    Object.fromEntries(
      Object.entries(repository).map(([name, method]) => [name, (...args: unknown[]) => run(() => (method as (...a: unknown[]) => Promise<unknown>)(...args))]),
    ) as R;
  return {
    users: wrap(repositories.users),
    sessions: wrap(repositories.sessions),
    throttle: wrap(repositories.throttle),
    audit: wrap(repositories.audit),
    signingKeys: wrap(repositories.signingKeys),
    clients: wrap(repositories.clients),
    refreshTokens: wrap(repositories.refreshTokens),
    revocations: wrap(repositories.revocations),
    oauthIdentities: wrap(repositories.oauthIdentities),
    oauthFlows: wrap(repositories.oauthFlows),
    oneTimeTokens: wrap(repositories.oneTimeTokens),
    emailVerifications: wrap(repositories.emailVerifications),
    emailCodes: wrap(repositories.emailCodes),
    totp: wrap(repositories.totp),
    recoveryCodes: wrap(repositories.recoveryCodes),
  };
}

/**
 * The reference implementation of the storage ports, for fast unit tests. It passes the same
 * contract suite as SQLite. Like SQLite it has a single writer: every call, and every
 * transaction as a whole, runs in turn, so a transaction that rolls back (by restoring its
 * snapshot) can never undo another caller's write.
 */
export function createMemoryStore(): Store {
  let tables: Tables = { users: new Map(), sessions: new Map(), throttle: new Map(), audit: [], signingKeys: new Map(), clients: new Map(), refreshTokens: new Map(), revocations: [], revocationSeq: 0, oauthIdentities: new Map(), oauthFlows: new Map(), oneTimeTokens: new Map(), emailVerifications: new Map(), emailCodes: new Map(), totp: new Map(), recoveryCodes: new Map() };
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(call: () => Promise<T>): Promise<T> => {
    const result = queue.then(call, call);
    queue = result.catch(() => undefined);
    return result;
  };

  // Like the SQL foreign key: a session's refresh tokens go with it (ON DELETE CASCADE).
  const dropRefreshTokensOf = (sessionId: string): void => {
    for (const [id, t] of tables.refreshTokens) if (t.sessionId === sessionId) tables.refreshTokens.delete(id);
  };
  const copyBytes = <T extends { secretHash?: Uint8Array; codeHash?: Uint8Array }>(r: T): T => ({
    ...r,
    ...(r.secretHash === undefined ? {} : { secretHash: new Uint8Array(r.secretHash) }),
    ...(r.codeHash === undefined ? {} : { codeHash: new Uint8Array(r.codeHash) }),
  });
  const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);
  // Like the SQL foreign keys: everything of a user goes with it (ON DELETE CASCADE).
  const dropFactorsOf = (userId: string): void => {
    for (const [id, t] of tables.oneTimeTokens) if (t.userId === userId) tables.oneTimeTokens.delete(id);
    for (const [id, c] of tables.recoveryCodes) if (c.userId === userId) tables.recoveryCodes.delete(id);
    tables.emailVerifications.delete(userId);
    tables.emailCodes.delete(userId);
    tables.totp.delete(userId);
  };
  const copyRefresh = (t: RefreshTokenRecord): RefreshTokenRecord => ({ ...t, secretHash: new Uint8Array(t.secretHash) });

  const direct: Repositories = {
    users: {
      async create(user) {
        if (tables.users.has(user.id)) throw new Error('duplicate user id');
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
        for (const [sid, s] of tables.sessions) {
          if (s.userId === id) {
            dropRefreshTokensOf(sid);
            tables.sessions.delete(sid);
          }
        }
        for (const [iid, identity] of tables.oauthIdentities) if (identity.userId === id) tables.oauthIdentities.delete(iid);
        dropFactorsOf(id);
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
        tables.sessions.set(session.id, copySession(session));
      },
      async findWithUser(id): Promise<SessionWithUser | null> {
        const session = tables.sessions.get(id);
        const user = session === undefined ? undefined : tables.users.get(session.userId);
        return session === undefined || user === undefined ? null : { session: copySession(session), user: { ...user } };
      },
      async touch(id, lastSeenAtMs) {
        const s = tables.sessions.get(id);
        if (s !== undefined) tables.sessions.set(id, { ...s, lastSeenAtMs });
      },
      async listByUser(userId) {
        return [...tables.sessions.values()].filter((s) => s.userId === userId).map(copySession);
      },
      async delete(id) {
        dropRefreshTokensOf(id);
        return tables.sessions.delete(id);
      },
      async deleteByUser(userId, exceptId) {
        const ids = [...tables.sessions.values()].filter((s) => s.userId === userId && s.id !== exceptId).map((s) => s.id);
        for (const id of ids) {
          dropRefreshTokensOf(id);
          tables.sessions.delete(id);
        }
        return ids;
      },
      async deleteExpired(nowMs, idleTimeoutMs) {
        let n = 0;
        for (const [id, s] of tables.sessions) {
          if (nowMs >= s.expiresAtMs || nowMs >= s.lastSeenAtMs + idleTimeoutMs) {
            dropRefreshTokensOf(id);
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
      async reserve(key, nowMs, rule) {
        const before = tables.throttle.get(key) ?? null;
        const waitMs = remainingLockMs(before, rule, nowMs);
        if (waitMs > 0) return { allowed: false, waitMs };
        const after = nextThrottleState(before, rule, nowMs);
        tables.throttle.set(key, after);
        return { allowed: true, before: before === null ? null : { ...before }, after: { ...after } };
      },
      async refund(key, { before, after }) {
        const t = tables.throttle.get(key);
        if (t === undefined) return;
        if (t.failures === after.failures && t.lastFailureAtMs === after.lastFailureAtMs) {
          if (before === null) tables.throttle.delete(key);
          else tables.throttle.set(key, { ...before });
        } else {
          tables.throttle.set(key, { ...t, failures: Math.max(0, t.failures - 1) });
        }
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
          .sort((a, b) => b.atMs - a.atMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .slice(0, limit)
          .map((e) => ({ ...e }));
      },
    },
    signingKeys: {
      async list() {
        return [...tables.signingKeys.values()].sort((a, b) => a.activatesAtMs - b.activatesAtMs || (a.kid < b.kid ? -1 : 1)).map((k) => ({ ...k }));
      },
      async insert(key) {
        if (tables.signingKeys.has(key.kid)) throw new Error('duplicate kid');
        tables.signingKeys.set(key.kid, { ...key });
      },
      async insertFirst(key, nowMs) {
        if (currentKey([...tables.signingKeys.values()], nowMs) !== null) return false;
        tables.signingKeys.set(key.kid, { ...key });
        return true;
      },
      async retire(kid, retiresAtMs, expiresAtMs) {
        const k = tables.signingKeys.get(kid);
        if (k !== undefined) tables.signingKeys.set(kid, { ...k, retiresAtMs, expiresAtMs });
      },
      async deleteExpired(nowMs) {
        let n = 0;
        for (const [kid, k] of tables.signingKeys) {
          if (k.expiresAtMs !== null && k.expiresAtMs <= nowMs) {
            tables.signingKeys.delete(kid);
            n++;
          }
        }
        return n;
      },
    },
    clients: {
      async create(client) {
        if (tables.clients.has(client.id)) return 'id_taken';
        tables.clients.set(client.id, { ...client, grantTypes: [...client.grantTypes] });
        return 'created';
      },
      async findById(id) {
        const c = tables.clients.get(id);
        return c === undefined ? null : { ...c, grantTypes: [...c.grantTypes] };
      },
      async list() {
        return [...tables.clients.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((c) => ({ ...c, grantTypes: [...c.grantTypes] }));
      },
      async delete(id) {
        return tables.clients.delete(id);
      },
    },
    refreshTokens: {
      async insert(token) {
        if (tables.refreshTokens.has(token.id)) throw new Error('duplicate refresh token id');
        if (!tables.sessions.has(token.sessionId)) throw new Error('refresh token for unknown session');
        tables.refreshTokens.set(token.id, copyRefresh(token));
      },
      async findById(id) {
        const t = tables.refreshTokens.get(id);
        return t === undefined ? null : copyRefresh(t);
      },
      async markUsed(id, usedAtMs, successorId) {
        const t = tables.refreshTokens.get(id);
        if (t === undefined || t.usedAtMs !== null) return false;
        tables.refreshTokens.set(id, { ...t, usedAtMs, successorId });
        return true;
      },
      async deleteFamily(familyId) {
        let n = 0;
        for (const [id, t] of tables.refreshTokens) {
          if (t.familyId === familyId) {
            tables.refreshTokens.delete(id);
            n++;
          }
        }
        return n;
      },
      async deleteExpired(nowMs) {
        let n = 0;
        for (const [id, t] of tables.refreshTokens) {
          if (t.familyExpiresAtMs <= nowMs || t.idleExpiresAtMs <= nowMs) {
            tables.refreshTokens.delete(id);
            n++;
          }
        }
        return n;
      },
    },
    revocations: {
      async append(entry) {
        tables.revocationSeq += 1;
        tables.revocations.push({ ...entry, seq: tables.revocationSeq });
      },
      async listAfter(afterSeq, limit) {
        return tables.revocations.filter((r) => r.seq > afterSeq).slice(0, limit).map((r) => ({ ...r }));
      },
      async latestSeq() {
        return tables.revocations.at(-1)?.seq ?? 0;
      },
      async hasJti(jti) {
        return tables.revocations.some((r) => r.jti === jti);
      },
      async sessionEndReason(sid) {
        return tables.revocations.findLast((r) => r.sid === sid)?.reason ?? null;
      },
      async deleteExpired(nowMs) {
        const before = tables.revocations.length;
        tables.revocations = tables.revocations.filter((r) => r.expiresAtMs > nowMs);
        return before - tables.revocations.length;
      },
    },
    oauthIdentities: {
      async create(identity) {
        if (tables.oauthIdentities.has(identity.id)) throw new Error('duplicate identity id');
        if (!tables.users.has(identity.userId)) throw new Error('identity for unknown user');
        for (const i of tables.oauthIdentities.values()) if (i.issuer === identity.issuer && i.subject === identity.subject) return 'subject_taken';
        tables.oauthIdentities.set(identity.id, { ...identity });
        return 'created';
      },
      async findBySubject(issuer, subject) {
        for (const i of tables.oauthIdentities.values()) if (i.issuer === issuer && i.subject === subject) return { ...i };
        return null;
      },
      async listByUser(userId) {
        return [...tables.oauthIdentities.values()].filter((i) => i.userId === userId).map((i) => ({ ...i }));
      },
      async recordLogin(id, atMs, email, tokensJwe) {
        const i = tables.oauthIdentities.get(id);
        if (i !== undefined) tables.oauthIdentities.set(id, { ...i, lastLoginAtMs: atMs, email, tokensJwe });
      },
      async delete(userId, id) {
        const i = tables.oauthIdentities.get(id);
        if (i === undefined || i.userId !== userId) return false;
        return tables.oauthIdentities.delete(id);
      },
    },
    oauthFlows: {
      async insert(flow) {
        const key = Buffer.from(flow.idHash).toString('hex');
        if (tables.oauthFlows.has(key)) throw new Error('duplicate flow');
        tables.oauthFlows.set(key, { ...flow, idHash: new Uint8Array(flow.idHash) });
      },
      async take(idHash) {
        const key = Buffer.from(idHash).toString('hex');
        const flow = tables.oauthFlows.get(key);
        if (flow === undefined) return null;
        tables.oauthFlows.delete(key);
        return flow;
      },
      async deleteExpired(nowMs) {
        let deleted = 0;
        for (const [key, flow] of tables.oauthFlows) {
          if (flow.expiresAtMs <= nowMs) {
            tables.oauthFlows.delete(key);
            deleted++;
          }
        }
        return deleted;
      },
    },
    oneTimeTokens: {
      async insert(token) {
        if (tables.oneTimeTokens.has(token.id)) throw new Error('duplicate one-time token id');
        if (!tables.users.has(token.userId)) throw new Error('one-time token for unknown user');
        tables.oneTimeTokens.set(token.id, copyBytes(token));
      },
      async findById(id) {
        const t = tables.oneTimeTokens.get(id);
        return t === undefined ? null : copyBytes(t);
      },
      async consume(id, nowMs) {
        const t = tables.oneTimeTokens.get(id);
        if (t === undefined || t.usedAtMs !== null || t.expiresAtMs <= nowMs) return false;
        tables.oneTimeTokens.set(id, { ...t, usedAtMs: nowMs });
        return true;
      },
      async deleteByUser(userId, purpose) {
        let n = 0;
        for (const [id, t] of tables.oneTimeTokens) {
          if (t.userId === userId && t.purpose === purpose) {
            tables.oneTimeTokens.delete(id);
            n++;
          }
        }
        return n;
      },
      async deleteExpired(nowMs) {
        let n = 0;
        for (const [id, t] of tables.oneTimeTokens) {
          if (t.expiresAtMs <= nowMs) {
            tables.oneTimeTokens.delete(id);
            n++;
          }
        }
        return n;
      },
    },
    emailVerifications: {
      async markVerified(userId, email, verifiedAtMs) {
        if (!tables.users.has(userId)) throw new Error('verification for unknown user');
        if (!tables.emailVerifications.has(userId)) tables.emailVerifications.set(userId, { email, verifiedAtMs });
      },
      async find(userId) {
        const v = tables.emailVerifications.get(userId);
        return v === undefined ? null : { ...v };
      },
    },
    emailCodes: {
      async put(code) {
        if (!tables.users.has(code.userId)) throw new Error('email code for unknown user');
        tables.emailCodes.set(code.userId, copyBytes(code));
      },
      async find(userId) {
        const c = tables.emailCodes.get(userId);
        return c === undefined ? null : copyBytes(c);
      },
      async consume(userId, codeHash) {
        const c = tables.emailCodes.get(userId);
        if (c === undefined || !sameBytes(c.codeHash, codeHash)) return false;
        tables.emailCodes.delete(userId);
        return true;
      },
      async deleteExpired(nowMs) {
        let n = 0;
        for (const [id, c] of tables.emailCodes) {
          if (c.expiresAtMs <= nowMs) {
            tables.emailCodes.delete(id);
            n++;
          }
        }
        return n;
      },
    },
    totp: {
      async putPending(credential) {
        if (!tables.users.has(credential.userId)) throw new Error('TOTP credential for unknown user');
        const existing = tables.totp.get(credential.userId);
        if (existing !== undefined && existing.confirmedAtMs !== null) return false;
        tables.totp.set(credential.userId, { ...credential, confirmedAtMs: null, lastUsedStep: null });
        return true;
      },
      async find(userId) {
        const c = tables.totp.get(userId);
        return c === undefined ? null : { ...c };
      },
      async confirm(userId, confirmedAtMs, step) {
        const c = tables.totp.get(userId);
        if (c === undefined || c.confirmedAtMs !== null) return false;
        tables.totp.set(userId, { ...c, confirmedAtMs, lastUsedStep: step });
        return true;
      },
      async useStep(userId, step) {
        const c = tables.totp.get(userId);
        if (c === undefined || c.confirmedAtMs === null || (c.lastUsedStep !== null && c.lastUsedStep >= step)) return false;
        tables.totp.set(userId, { ...c, lastUsedStep: step });
        return true;
      },
      async delete(userId) {
        return tables.totp.delete(userId);
      },
    },
    recoveryCodes: {
      async replace(userId, codes) {
        if (!tables.users.has(userId)) throw new Error('recovery codes for unknown user');
        for (const [id, c] of tables.recoveryCodes) if (c.userId === userId) tables.recoveryCodes.delete(id);
        for (const code of codes) tables.recoveryCodes.set(code.id, copyBytes(code));
      },
      async listByUser(userId) {
        return [...tables.recoveryCodes.values()].filter((c) => c.userId === userId).map(copyBytes);
      },
      async consume(id, usedAtMs) {
        const c = tables.recoveryCodes.get(id);
        if (c === undefined || c.usedAtMs !== null) return false;
        tables.recoveryCodes.set(id, { ...c, usedAtMs });
        return true;
      },
      async deleteByUser(userId) {
        let n = 0;
        for (const [id, c] of tables.recoveryCodes) {
          if (c.userId === userId) {
            tables.recoveryCodes.delete(id);
            n++;
          }
        }
        return n;
      },
    },
  };

  const inTransaction: Store = {
    ...direct,
    transaction: (work) => work(inTransaction),
    async ping() {},
    async close() {},
  };
  return {
    ...through(direct, enqueue),
    transaction: <T>(work: (tx: Store) => Promise<T>): Promise<T> =>
      enqueue(async () => {
        const snapshot = cloneTables(tables);
        try {
          return await work(inTransaction);
        } catch (error) {
          tables = snapshot;
          throw error;
        }
      }),
    async ping() {},
    async close() {},
  };
}
